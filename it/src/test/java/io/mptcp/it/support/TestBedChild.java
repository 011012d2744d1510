package io.mptcp.it.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A JVM that builds a {@link TwoPathTestBed} and does not close it, for
 * {@link TwoPathTestBedIT}: {@code exit} returns from {@code main} at once (the shutdown hook
 * must delete the namespaces); {@code hang} waits until killed (a later sweep must delete them).
 */
public final class TestBedChild {

    private TestBedChild() {
    }

    public static void main(String[] args) throws Exception {
        TwoPathTestBed bed = TwoPathTestBed.start();
        System.out.println("pid " + ProcessHandle.current().pid() + " namespaces "
                + bed.client().name() + " " + bed.server().name());
        if (args.length > 0 && args[0].equals("hang")) {
            // Reads stdin until the parent closes it or kills this JVM.
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    .readLine();
        }
    }
}
