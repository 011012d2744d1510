package io.mptcp.it.bench.jmh;

import io.mptcp.nio.MptcpSelectorProvider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocation per write + read of 64 bytes on a connected loopback pair, blocking, in steady
 * state, for the JDK's provider and ours (TCP and MPTCP), with heap and direct buffers. Run with
 * JMH's gc profiler ({@code gc.alloc.rate.norm}: bytes per operation); the benchmark's time is
 * not the point.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class AllocationBenchmark {
    private static final int SIZE = 64;

    /** {@code jdk}, {@code ours-off} (our provider, TCP) or {@code ours} (MPTCP). */
    @Param({"jdk", "ours-off", "ours"})
    public String provider;

    @Param({"heap", "direct"})
    public String buffer;

    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel server;
    private ByteBuffer out;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void connect() throws IOException {
        SelectorProvider p;
        if (provider.equals("jdk")) {
            p = SelectorProvider.provider();
        } else {
            System.setProperty("io.mptcp.nio.mode", provider.equals("ours") ? "all" : "off");
            p = new MptcpSelectorProvider();
        }
        listener = p.openServerSocketChannel();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = p.openSocketChannel();
        client.connect(listener.getLocalAddress());
        server = listener.accept();
        boolean direct = buffer.equals("direct");
        out = direct ? ByteBuffer.allocateDirect(SIZE) : ByteBuffer.allocate(SIZE);
        in = direct ? ByteBuffer.allocateDirect(SIZE) : ByteBuffer.allocate(SIZE);
    }

    @Benchmark
    public int writeThenRead() throws IOException {
        out.clear();
        while (out.hasRemaining()) {
            client.write(out);
        }
        in.clear();
        while (in.hasRemaining()) {
            server.read(in);
        }
        return in.get(0);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        client.close();
        server.close();
        listener.close();
    }
}
