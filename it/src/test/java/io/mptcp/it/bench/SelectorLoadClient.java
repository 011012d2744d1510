package io.mptcp.it.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The client side of {@link SelectorLoopCase}, in a JVM of its own so that the server's JVM
 * holds only its own 10,000 descriptors. Always the same client (the JDK's provider, under
 * {@code mptcpize} for MPTCP), so that only the server's provider differs between runs.
 *
 * <p>Opens {@code connections} blocking connections to {@code host:port}, sending each one's
 * index (4 bytes) first, prints {@code CONNECTED}, then for each line {@code <round>} on stdin
 * sends 64 bytes ({@code round}, index) on {@code active} distinct random connections; exits at
 * end of input.
 */
public final class SelectorLoadClient {
    private static final int MESSAGE = 64;

    private SelectorLoadClient() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int connections = Integer.parseInt(args[2]);
        int active = Integer.parseInt(args[3]);
        SocketChannel[] clients = new SocketChannel[connections];
        ByteBuffer out = ByteBuffer.allocateDirect(MESSAGE);
        try {
            for (int i = 0; i < connections; i++) {
                clients[i] = SocketChannel.open(server);
                clients[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
                out.clear().putInt(i).flip();
                while (out.hasRemaining()) {
                    clients[i].write(out);
                }
            }
            System.out.println("CONNECTED");
            int[] order = new int[connections];
            Arrays.setAll(order, i -> i);
            SplittableRandom random = new SplittableRandom(13);
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                long round = Long.parseLong(line);
                // A partial Fisher-Yates shuffle: the first `active` entries are distinct.
                for (int k = 0; k < active; k++) {
                    int j = k + random.nextInt(connections - k);
                    int chosen = order[j];
                    order[j] = order[k];
                    order[k] = chosen;
                    out.clear();
                    out.putLong(0, round).putInt(8, chosen);
                    while (out.hasRemaining()) {
                        clients[chosen].write(out);
                    }
                }
            }
        } finally {
            for (SocketChannel c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }
}
