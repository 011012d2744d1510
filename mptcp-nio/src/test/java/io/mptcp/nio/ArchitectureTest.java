package io.mptcp.nio;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.net.MptcpPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dependency rules of the layout (issue 9), each checked on the real code and each shown,
 * on a planted violation, to catch what it forbids:
 *
 * <ol type="a">
 *   <li>the native seam {@code io.mptcp.ffi} depends on nothing in {@code io.mptcp.nio};
 *   <li>the API package {@code io.mptcp.nio} reaches the implementation only through
 *       {@code io.mptcp.nio.internal.ChannelFactory}, from {@code MptcpSelectorProvider}, whose
 *       package-private test constructor also names the native seam and the MPTCP policy
 *       ({@link #API_TO_IMPLEMENTATION}, the exact set);
 *   <li>the netlink codec {@code io.mptcp.nio.internal.netlink} (and any subpackage) depends
 *       only on {@code java.*}, {@code io.mptcp.ffi} and itself;
 *   <li>the public and protected signatures of the API packages ({@code io.mptcp.nio},
 *       {@code io.mptcp.nio.pm}) name no type of {@code io.mptcp.ffi} or of an
 *       {@code io.mptcp.nio.internal} package.
 * </ol>
 *
 * <p>Rules a to c read the main sources ({@link SourceDependencies}: imports and qualified
 * names in code); rule d reads the compiled API classes by reflection. The native module's
 * sources are read through the relative path {@code ../mptcp-nio-native}.
 */
class ArchitectureTest {
    private static final Path MODULE =
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    private static final Path MAIN = MODULE.resolve("src/main/java");
    private static final Path NATIVE_MAIN =
            MODULE.resolve("../mptcp-nio-native/src/main/java").normalize();

    private static final String FFI = "io.mptcp.ffi";
    private static final String API = "io.mptcp.nio";
    private static final String PM = "io.mptcp.nio.pm";
    private static final String INTERNAL = "io.mptcp.nio.internal";
    private static final String NETLINK = "io.mptcp.nio.internal.netlink";

    /**
     * Rule b: per file of {@code io.mptcp.nio}, the types outside the API it may name. Every
     * other file names none.
     */
    static final Map<String, Set<String>> API_TO_IMPLEMENTATION = Map.of(
            "MptcpSelectorProvider.java", Set.of(
                    "io.mptcp.nio.internal.ChannelFactory",
                    // For the package-private constructor tests use (a mocked seam, a policy).
                    "io.mptcp.nio.internal.net.MptcpPolicy",
                    "io.mptcp.ffi.LinuxSyscalls"),
            // The same: its factory, and the test constructor's seam and policy.
            "MptcpAsynchronousChannelProvider.java", Set.of(
                    "io.mptcp.nio.internal.ChannelFactory",
                    "io.mptcp.nio.internal.net.MptcpPolicy",
                    "io.mptcp.ffi.LinuxSyscalls"),
            // The java.net.Socket factories: through the same factory only.
            "MptcpSockets.java", Set.of("io.mptcp.nio.internal.ChannelFactory"));

    // ---- the rules ----------------------------------------------------------------------

    /** Rule a: what in {@code sources} of {@code io.mptcp.ffi} depends on {@code io.mptcp.nio}. */
    static List<String> ffiDependsOnNoNio(Collection<SourceDependencies> sources) {
        List<String> violations = new ArrayList<>();
        for (SourceDependencies s : sources) {
            if (!SourceDependencies.within(s.pkg(), FFI)) {
                continue;
            }
            for (String r : s.references()) {
                if (SourceDependencies.within(SourceDependencies.packageOf(r), API)) {
                    violations.add(s + " -> " + r);
                }
            }
        }
        return violations;
    }

    /** Rule b: what in {@code sources} of {@code io.mptcp.nio} names implementation it may not. */
    static List<String> apiReachesImplementationOnlyThroughItsFactory(
            Collection<SourceDependencies> sources) {
        List<String> violations = new ArrayList<>();
        for (SourceDependencies s : sources) {
            if (!s.pkg().equals(API)) {
                continue;
            }
            String file = s.file().substring(s.file().lastIndexOf('/') + 1);
            Set<String> allowed = API_TO_IMPLEMENTATION.getOrDefault(file, Set.of());
            for (String r : s.references()) {
                String pkg = SourceDependencies.packageOf(r);
                boolean implementation = SourceDependencies.within(pkg, "io.mptcp")
                        && !pkg.equals(API) && !SourceDependencies.within(pkg, PM);
                if (implementation && !allowed.contains(r)) {
                    violations.add(s + " -> " + r);
                }
            }
        }
        return violations;
    }

    /** Rule c: what in {@code sources} of the netlink codec depends on more than it may. */
    static List<String> netlinkCodecDependsOnlyOnJavaAndFfi(
            Collection<SourceDependencies> sources) {
        List<String> violations = new ArrayList<>();
        for (SourceDependencies s : netlinkSources(sources)) {
            for (String r : s.references()) {
                String pkg = SourceDependencies.packageOf(r);
                if (!SourceDependencies.within(pkg, "java") && !SourceDependencies.within(pkg, FFI)
                        && !SourceDependencies.within(pkg, NETLINK)) {
                    violations.add(s + " -> " + r);
                }
            }
        }
        return violations;
    }

    /** The sources rule c applies to: every one in the netlink package or below it. */
    static List<SourceDependencies> netlinkSources(Collection<SourceDependencies> sources) {
        return sources.stream().filter(s -> SourceDependencies.within(s.pkg(), NETLINK))
                .collect(Collectors.toList());
    }

    /**
     * Rule d: where the public or protected signatures of {@code types} (and of their public
     * or protected member types) name a type {@code forbidden} accepts: supertypes, fields,
     * constructors and methods (parameters, results, exceptions, type parameters), generic
     * arguments included.
     */
    static List<String> signaturesNaming(Collection<Class<?>> types, Predicate<String> forbidden) {
        List<String> violations = new ArrayList<>();
        for (Class<?> c : types) {
            if (visible(c.getModifiers())) {
                checkType(c, forbidden, violations);
            }
        }
        return violations;
    }

    private static void checkType(Class<?> c, Predicate<String> forbidden, List<String> out) {
        String where = c.getName();
        name(where + " extends", c.getGenericSuperclass(), forbidden, out);
        for (Type t : c.getGenericInterfaces()) {
            name(where + " implements", t, forbidden, out);
        }
        for (TypeVariable<?> v : c.getTypeParameters()) {
            name(where + " <" + v.getName() + ">", v, forbidden, out);
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f)) {
                name(where + "." + f.getName(), f.getGenericType(), forbidden, out);
            }
        }
        List<Executable> code = new ArrayList<>(List.of(c.getDeclaredConstructors()));
        code.addAll(List.of(c.getDeclaredMethods()));
        for (Executable e : code) {
            if (!visible(e)) {
                continue;
            }
            String m = where + "." + (e instanceof Constructor ? "<init>" : e.getName()) + "()";
            if (e instanceof Method) {
                name(m + " returns", ((Method) e).getGenericReturnType(), forbidden, out);
            }
            for (Type t : e.getGenericParameterTypes()) {
                name(m + " takes", t, forbidden, out);
            }
            for (Type t : e.getGenericExceptionTypes()) {
                name(m + " throws", t, forbidden, out);
            }
            for (TypeVariable<?> v : e.getTypeParameters()) {
                name(m + " <" + v.getName() + ">", v, forbidden, out);
            }
        }
        for (Class<?> nested : c.getDeclaredClasses()) {
            if (visible(nested.getModifiers())) {
                checkType(nested, forbidden, out);
            }
        }
    }

    private static boolean visible(Member m) {
        return !m.isSynthetic() && visible(m.getModifiers());
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void name(String where, Type type, Predicate<String> forbidden,
            List<String> out) {
        Set<Type> seen = new HashSet<>();
        List<Type> todo = new ArrayList<>();
        if (type != null) {
            todo.add(type);
        }
        while (!todo.isEmpty()) {
            Type t = todo.remove(todo.size() - 1);
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof Class) {
                Class<?> c = (Class<?>) t;
                while (c.isArray()) {
                    c = c.getComponentType();
                }
                if (forbidden.test(c.getName())) {
                    out.add(where + " " + c.getName());
                }
            } else if (t instanceof ParameterizedType) {
                ParameterizedType p = (ParameterizedType) t;
                todo.add(p.getRawType());
                todo.addAll(List.of(p.getActualTypeArguments()));
                if (p.getOwnerType() != null) {
                    todo.add(p.getOwnerType());
                }
            } else if (t instanceof WildcardType) {
                todo.addAll(List.of(((WildcardType) t).getUpperBounds()));
                todo.addAll(List.of(((WildcardType) t).getLowerBounds()));
            } else if (t instanceof TypeVariable) {
                todo.addAll(List.of(((TypeVariable<?>) t).getBounds()));
            } else if (t instanceof GenericArrayType) {
                todo.add(((GenericArrayType) t).getGenericComponentType());
            }
        }
    }

    /** Rule d's forbidden names: the native seam and every implementation package. */
    static boolean implementationType(String className) {
        return className.startsWith(FFI + ".") || className.startsWith(INTERNAL + ".");
    }

    // ---- the real code ------------------------------------------------------------------

    @Test
    void ffiDependsOnNothingInNio() {
        List<SourceDependencies> ffi = SourceDependencies.scan(NATIVE_MAIN);
        assertTrue(ffi.stream().filter(s -> s.pkg().equals(FFI)).count() >= 20,
                "the native seam's sources were found: " + ffi);
        assertEquals(List.of(), ffiDependsOnNoNio(ffi));
    }

    @Test
    void apiReachesTheImplementationOnlyThroughItsFactory() {
        List<SourceDependencies> main = SourceDependencies.scan(MAIN);
        SourceDependencies provider = main.stream()
                .filter(s -> s.file().endsWith("io/mptcp/nio/MptcpSelectorProvider.java"))
                .findFirst().orElseThrow();
        assertTrue(provider.references().contains("io.mptcp.nio.internal.ChannelFactory"),
                "the scan sees what the provider uses: " + provider.references());
        assertEquals(List.of(), apiReachesImplementationOnlyThroughItsFactory(main));
    }

    @Test
    void netlinkCodecDependsOnlyOnJavaAndTheNativeSeam() throws IOException {
        List<SourceDependencies> main = SourceDependencies.scan(MAIN);
        List<SourceDependencies> checked = netlinkSources(main);
        // Not vacuous by mistake: the rule covers every file the package's directory holds
        // (none until the codec arrives; then all of them).
        Path dir = MAIN.resolve(NETLINK.replace('.', '/'));
        long files = 0;
        if (Files.isDirectory(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(f -> f.toString().endsWith(".java")).count();
            }
            assertTrue(files > 0 && checked.size() == files,
                    "rule c checked " + checked.size() + " of " + files + " files in " + dir);
        }
        assertEquals(files, checked.size(), "rule c checks every netlink source");
        assertEquals(List.of(), netlinkCodecDependsOnlyOnJavaAndFfi(main));
    }

    @Test
    void apiSignaturesNameNoImplementationType() {
        List<Class<?>> api = apiClasses();
        assertTrue(api.contains(MptcpSelectorProvider.class) && api.contains(MptcpInfo.class),
                "the API classes were found: " + api);
        assertEquals(List.of(), signaturesNaming(api, ArchitectureTest::implementationType));
    }

    /** The top-level classes of the API packages, from the source files' names. */
    private static List<Class<?>> apiClasses() {
        List<Class<?>> classes = new ArrayList<>();
        for (String pkg : List.of(API, PM)) {
            Path dir = MAIN.resolve(pkg.replace('.', '/'));
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".java") && !name.equals("package-info.java")) {
                        classes.add(Class.forName(pkg + "." + name.replace(".java", ""), false,
                                ArchitectureTest.class.getClassLoader()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ClassNotFoundException e) {
                throw new AssertionError("no class for a source file of " + pkg, e);
            }
        }
        return classes;
    }

    // ---- each rule catches what it forbids ----------------------------------------------

    @Test
    void scanSeesImportsAndQualifiedNamesButNotCommentsOrStrings() {
        SourceDependencies s = SourceDependencies.parse("Planted.java", """
                package io.mptcp.ffi.sub;

                import java.util.List;
                import static io.mptcp.ffi.Errno.EAGAIN;
                import io.mptcp.nio.internal.*;
                import static java.util.Objects.*;

                // io.mptcp.nio.internal.stream.SocketChannelImpl in a comment
                /** {@link io.mptcp.nio.MptcpInfo} in Javadoc */
                class Planted {
                    String s = "io.mptcp.nio.internal.fd.Descriptor in a string";
                    char c = '"';
                    Object o = java.util.Objects
                            .requireNonNull(javax.net.SocketFactory.getDefault());
                    io.mptcp.nio.pm.Endpoint e;
                    int local = this.state.VALUE;
                }
                """);
        assertEquals("io.mptcp.ffi.sub", s.pkg());
        assertEquals(List.of("java.util.List", "io.mptcp.ffi.Errno", "io.mptcp.nio.internal.*",
                "java.util.Objects"), s.imports());
        assertEquals(new TreeSet<>(Set.of("java.util.List", "io.mptcp.ffi.Errno",
                "io.mptcp.nio.internal.*", "java.util.Objects", "javax.net.SocketFactory",
                "io.mptcp.nio.pm.Endpoint")), s.references());
        assertEquals("io.mptcp.nio.internal",
                SourceDependencies.packageOf("io.mptcp.nio.internal.*"));
        assertEquals("java.util", SourceDependencies.packageOf("java.util.Map.Entry"));
    }

    @Test
    void ruleACatchesTheNativeSeamUsingNio() {
        List<SourceDependencies> planted = List.of(
                SourceDependencies.parse("ffi/Imports.java",
                        "package io.mptcp.ffi;\nimport io.mptcp.nio.MptcpInfo;\nclass Imports {}"),
                SourceDependencies.parse("ffi/Names.java", "package io.mptcp.ffi;\n"
                        + "class Names { io.mptcp.nio.internal.ChannelFactory f; }"),
                SourceDependencies.parse("ffi/Clean.java", "package io.mptcp.ffi;\n"
                        + "import java.nio.ByteBuffer;\nimport jnr.ffi.Pointer;\nclass Clean {}"));
        assertEquals(List.of("io.mptcp.ffi/Imports.java -> io.mptcp.nio.MptcpInfo",
                        "io.mptcp.ffi/Names.java -> io.mptcp.nio.internal.ChannelFactory"),
                ffiDependsOnNoNio(planted));
    }

    @Test
    void ruleBCatchesTheApiReachingPastItsFactory() {
        String allowed = "package io.mptcp.nio;\nimport io.mptcp.ffi.LinuxSyscalls;\n"
                + "import io.mptcp.nio.internal.ChannelFactory;\n"
                + "import io.mptcp.nio.internal.net.MptcpPolicy;\nclass MptcpSelectorProvider {}";
        List<SourceDependencies> planted = List.of(
                SourceDependencies.parse("io/mptcp/nio/MptcpSelectorProvider.java", allowed),
                SourceDependencies.parse("io/mptcp/nio/MptcpSelectorProvider.java",
                        "package io.mptcp.nio;\n"
                        + "import io.mptcp.nio.internal.stream.SocketChannelImpl;\nclass P {}"),
                SourceDependencies.parse("io/mptcp/nio/MptcpInfo.java", "package io.mptcp.nio;\n"
                        + "import io.mptcp.nio.internal.ChannelFactory;\nclass MptcpInfo {}"),
                SourceDependencies.parse("io/mptcp/nio/Wild.java", "package io.mptcp.nio;\n"
                        + "import io.mptcp.nio.internal.*;\nclass Wild {}"),
                SourceDependencies.parse("io/mptcp/nio/Inline.java", "package io.mptcp.nio;\n"
                        + "class Inline { Object o = new io.mptcp.nio.internal.fd.NativeFd(); }"),
                SourceDependencies.parse("io/mptcp/nio/Fine.java", "package io.mptcp.nio;\n"
                        + "import io.mptcp.nio.pm.Endpoint;\nimport java.util.List;\n"
                        + "class Fine {}"),
                SourceDependencies.parse("io/mptcp/nio/internal/Other.java",
                        "package io.mptcp.nio.internal;\n"
                        + "import io.mptcp.nio.internal.stream.SocketChannelImpl;\nclass O {}"));
        assertEquals(List.of(
                "io.mptcp.nio/MptcpSelectorProvider.java"
                        + " -> io.mptcp.nio.internal.stream.SocketChannelImpl",
                "io.mptcp.nio/MptcpInfo.java -> io.mptcp.nio.internal.ChannelFactory",
                "io.mptcp.nio/Wild.java -> io.mptcp.nio.internal.*",
                "io.mptcp.nio/Inline.java -> io.mptcp.nio.internal.fd.NativeFd"),
                apiReachesImplementationOnlyThroughItsFactory(planted));
    }

    @Test
    void ruleCCatchesTheNetlinkCodecUsingMoreThanJavaAndTheSeam() {
        List<SourceDependencies> planted = List.of(
                SourceDependencies.parse("netlink/Clean.java",
                        "package io.mptcp.nio.internal.netlink;\n"
                        + "import java.nio.ByteBuffer;\nimport io.mptcp.ffi.NetlinkUapi;\n"
                        + "import static io.mptcp.ffi.Errno.EAGAIN;\n"
                        + "class Clean { java.util.List<NlAttr> a; }"),
                SourceDependencies.parse("netlink/Api.java",
                        "package io.mptcp.nio.internal.netlink;\n"
                        + "import io.mptcp.nio.MptcpToken;\nclass Api {}"),
                SourceDependencies.parse("netlink/Other.java",
                        "package io.mptcp.nio.internal.netlink;\n"
                        + "import javax.crypto.Cipher;\nclass Other {}"),
                SourceDependencies.parse("netlink/codec/Inline.java",
                        "package io.mptcp.nio.internal.netlink.codec;\n"
                        + "class Inline { io.mptcp.nio.internal.fd.NativeFd fd; }"),
                SourceDependencies.parse("netlinker/NotIt.java",
                        "package io.mptcp.nio.internal.netlinker;\n"
                        + "import io.mptcp.nio.MptcpToken;\nclass NotIt {}"));
        assertEquals(4, netlinkSources(planted).size(), "the package and its subpackages");
        assertEquals(List.of(
                "io.mptcp.nio.internal.netlink/Api.java -> io.mptcp.nio.MptcpToken",
                "io.mptcp.nio.internal.netlink/Other.java -> javax.crypto.Cipher",
                "io.mptcp.nio.internal.netlink.codec/Inline.java"
                        + " -> io.mptcp.nio.internal.fd.NativeFd"),
                netlinkCodecDependsOnlyOnJavaAndFfi(planted));
    }

    @Test
    void ruleDCatchesImplementationTypesInPublicSignatures() {
        List<Class<?>> planted = List.of(LeaksInResult.class, LeaksInArgument.class,
                LeaksInThrows.class, LeaksThroughGenerics.class, LeaksInNested.class,
                KeepsItInside.class, HiddenClass.class);
        assertEquals(List.of(
                LeaksInResult.class.getName() + ".seam() returns io.mptcp.ffi.LinuxSyscalls",
                LeaksInArgument.class.getName() + ".<init>() takes "
                        + "io.mptcp.nio.internal.net.MptcpPolicy",
                LeaksInThrows.class.getName() + ".read() throws io.mptcp.ffi.ErrnoException",
                LeaksThroughGenerics.class.getName() + ".factories "
                        + "io.mptcp.nio.internal.ChannelFactory",
                LeaksInNested.Inner.class.getName() + ".seams() returns "
                        + "io.mptcp.ffi.LinuxSyscalls"),
                signaturesNaming(planted, ArchitectureTest::implementationType));
    }

    /** Planted for rule d. */
    public static class LeaksInResult {
        /** @return a leak */
        public LinuxSyscalls seam() {
            return null;
        }
    }

    /** Planted for rule d. */
    public static class LeaksInArgument {
        /** @param policy a leak */
        protected LeaksInArgument(MptcpPolicy policy) {
        }
    }

    /** Planted for rule d. */
    public static class LeaksInThrows {
        /** @throws ErrnoException a leak */
        public void read() throws ErrnoException {
        }
    }

    /** Planted for rule d. */
    public static class LeaksThroughGenerics {
        /** A leak in a type argument. */
        public List<? extends ChannelFactory> factories;
    }

    /** Planted for rule d. */
    public static class LeaksInNested {
        /** Planted for rule d. */
        public static class Inner {
            /** @return a leak in an array */
            public LinuxSyscalls[] seams() {
                return null;
            }
        }
    }

    /** Planted for rule d: none of this is visible outside the package. */
    public static class KeepsItInside {
        LinuxSyscalls seam;
        private ChannelFactory factory;

        KeepsItInside(MptcpPolicy policy) {
        }

        LinuxSyscalls seam() {
            return seam;
        }

        private static final class Hidden {
            public ChannelFactory factory;
        }
    }

    /** Planted for rule d: a class the package keeps to itself. */
    static class HiddenClass {
        public LinuxSyscalls seam;
    }
}
