package io.mptcp.nio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one Java source file depends on, read from its text with the JDK alone: the types its
 * imports name (static imports by their type, {@code a.b.*} as written) and the qualified type
 * names its code spells out ({@code java.util.Objects.requireNonNull(…)}). Comments, string,
 * character and text-block literals are blanked first, so a name mentioned there is no
 * dependency.
 *
 * <p>It is a source scan, not a compiler: a qualified name counts when its first segment is a
 * package root ({@link #ROOTS}), its segments before the type are lower case and the type's
 * name starts upper case, which is how this project and the JDK spell packages and types.
 * Constants that javac inlines are seen here, unlike in class files.
 *
 * @param file the file name, for messages
 * @param pkg the package the file declares ("" if none)
 * @param imports the imported names, in order of the file
 * @param references every type name the file depends on: imports and qualified names in code
 */
record SourceDependencies(String file, String pkg, List<String> imports, Set<String> references) {

    /** First segments taken as package roots in qualified names written in code. */
    static final Set<String> ROOTS = Set.of("io", "java", "javax", "jdk", "sun", "com", "org",
            "jnr", "net");

    private static final Pattern PACKAGE =
            Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile(
            "^\\s*import\\s+(static\\s+)?([\\w.]+(?:\\s*\\.\\s*\\*)?)\\s*;", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile(
            "(?<![\\w.])((?:[a-z_][a-z0-9_]*\\s*\\.\\s*)+)([A-Z][\\w]*)");

    /** The dependencies of the source text {@code text}, named {@code file} in messages. */
    static SourceDependencies parse(String file, String text) {
        String code = blankCommentsAndLiterals(text);
        Matcher p = PACKAGE.matcher(code);
        String pkg = p.find() ? p.group(1) : "";
        List<String> imports = new ArrayList<>();
        Set<String> references = new TreeSet<>();
        Matcher i = IMPORT.matcher(code);
        StringBuilder body = new StringBuilder(code);
        while (i.find()) {
            String name = i.group(2).replaceAll("\\s", "");
            if (i.group(1) != null && !name.endsWith(".*")) {
                // import static a.b.C.member: the dependency is a.b.C.
                name = name.substring(0, name.lastIndexOf('.'));
            } else if (i.group(1) != null) {
                name = name.substring(0, name.length() - 2); // import static a.b.C.*
            }
            imports.add(name);
            references.add(name);
            blank(body, i.start(), i.end());
        }
        if (p.reset().find()) {
            blank(body, p.start(), p.end());
        }
        Matcher q = QUALIFIED.matcher(body);
        while (q.find()) {
            String qualifier = q.group(1).replaceAll("\\s", "");
            if (ROOTS.contains(qualifier.substring(0, qualifier.indexOf('.')))) {
                references.add(qualifier + q.group(2));
            }
        }
        return new SourceDependencies(file, pkg, List.copyOf(imports),
                Collections.unmodifiableSet(references));
    }

    /** Every {@code .java} file under {@code root}, parsed, in path order. */
    static List<SourceDependencies> scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("no source tree at " + root.toAbsolutePath());
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<SourceDependencies> all = new ArrayList<>();
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))
                    .sorted()::iterator) {
                all.add(parse(root.relativize(f).toString(),
                        Files.readString(f, StandardCharsets.UTF_8)));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The package part of a referenced name: its segments up to the first one that starts upper
     * case (a type), or everything before {@code .*}.
     */
    static String packageOf(String name) {
        String[] segments = name.split("\\.");
        StringBuilder pkg = new StringBuilder();
        for (String s : segments) {
            if (s.equals("*") || Character.isUpperCase(s.charAt(0))) {
                break;
            }
            if (pkg.length() > 0) {
                pkg.append('.');
            }
            pkg.append(s);
        }
        return pkg.toString();
    }

    /** Whether {@code pkg} is {@code root} or one of its subpackages. */
    static boolean within(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    /** The file's package and type name, for messages: {@code io.mptcp.nio/MptcpInfo.java}. */
    @Override
    public String toString() {
        return pkg + "/" + file.substring(file.lastIndexOf('/') + 1);
    }

    /**
     * {@code text} with comments and string, character and text-block literals replaced by
     * spaces, line breaks kept.
     */
    static String blankCommentsAndLiterals(String text) {
        StringBuilder out = new StringBuilder(text);
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            int end;
            if (text.startsWith("//", i)) {
                end = text.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (text.startsWith("/*", i)) {
                end = text.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (text.startsWith("\"\"\"", i)) {
                end = literalEnd(text, i + 3, "\"\"\"");
            } else if (c == '"') {
                end = literalEnd(text, i + 1, "\"");
            } else if (c == '\'') {
                end = literalEnd(text, i + 1, "'");
            } else {
                i++;
                continue;
            }
            blank(out, i, end);
            i = end;
        }
        return out.toString();
    }

    /** The index after the {@code close} that ends a literal whose content starts at {@code i}. */
    private static int literalEnd(String text, int i, String close) {
        while (i < text.length()) {
            if (text.charAt(i) == '\\') {
                i += 2;
            } else if (text.startsWith(close, i)) {
                return i + close.length();
            } else {
                i++;
            }
        }
        return text.length();
    }

    private static void blank(StringBuilder b, int from, int to) {
        for (int k = from; k < to; k++) {
            if (b.charAt(k) != '\n') {
                b.setCharAt(k, ' ');
            }
        }
    }
}
