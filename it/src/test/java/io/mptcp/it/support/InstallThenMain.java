package io.mptcp.it.support;

import io.mptcp.nio.MptcpSockets;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The class-path route without the agent: a launcher that installs the Socket factories
 * ({@code MptcpSockets.install()}, as a program would first thing in {@code main}) and then runs
 * the application's main class, given as the first argument, unchanged.
 */
public final class InstallThenMain {

    private InstallThenMain() {
    }

    public static void main(String[] args) throws Throwable {
        MptcpSockets.install();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
