package io.mptcp.it.netty;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server over UDP on loopback (RFC 1035 §4), for testing resolvers:
 * it answers {@code A} queries for the names it is given, with no answer ({@code NODATA}) for
 * other types of those names, and {@code NXDOMAIN} for every other name. Additional records
 * in a query (EDNS) are ignored. It runs on its own thread with the JDK's channels of this JVM.
 */
final class DnsResponder implements AutoCloseable {
    private static final int TYPE_A = 1;
    private static final int CLASS_IN = 1;
    private static final int RCODE_FORMERR = 1;
    private static final int RCODE_NXDOMAIN = 3;

    private final Map<String, Inet4Address> records;
    private final DatagramChannel channel;
    private final Thread thread;
    private final AtomicInteger answered = new AtomicInteger();
    private volatile Throwable failure;

    private DnsResponder(Map<String, Inet4Address> records) throws IOException {
        this.records = Map.copyOf(records);
        this.channel = DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.thread = new Thread(this::serve, "dns-responder");
        thread.setDaemon(true);
    }

    /** Starts answering for {@code records} (lower-case names without the final dot). */
    static DnsResponder start(Map<String, Inet4Address> records) throws IOException {
        DnsResponder responder = new DnsResponder(records);
        responder.thread.start();
        return responder;
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Queries answered so far (any rcode). */
    int answered() {
        return answered.get();
    }

    private void serve() {
        ByteBuffer query = ByteBuffer.allocate(512);
        try {
            while (true) {
                query.clear();
                SocketAddress client = channel.receive(query);
                query.flip();
                ByteBuffer response = respond(query);
                if (response != null) {
                    channel.send(response, client);
                    answered.incrementAndGet();
                }
            }
        } catch (ClosedChannelException closed) {
            // close(): done
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    /** The response to {@code query}, or null for something that is not a query. */
    ByteBuffer respond(ByteBuffer query) {
        if (query.remaining() < 12) {
            return null;
        }
        int id = query.getShort(0) & 0xffff;
        int flags = query.getShort(2) & 0xffff;
        if ((flags & 0x8000) != 0) {
            return null; // a response, not a query
        }
        int questions = query.getShort(4) & 0xffff;
        ByteBuffer out = ByteBuffer.allocate(512);
        int responseFlags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080;
        if (questions != 1) {
            return header(out, id, responseFlags | RCODE_FORMERR, 0, 0).flip();
        }
        int end = 12;
        StringBuilder name = new StringBuilder();
        for (int len; (len = query.get(end) & 0xff) != 0; end += len + 1) {
            if (len > 63 || end + len + 1 >= query.limit()) {
                return header(out, id, responseFlags | RCODE_FORMERR, 0, 0).flip();
            }
            if (name.length() > 0) {
                name.append('.');
            }
            byte[] label = new byte[len];
            query.get(end + 1, label);
            name.append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = query.getShort(end + 1) & 0xffff;
        int qclass = query.getShort(end + 3) & 0xffff;
        int questionEnd = end + 5;
        Inet4Address address = records.get(name.toString().toLowerCase(Locale.ROOT));
        boolean answer = address != null && type == TYPE_A && qclass == CLASS_IN;
        header(out, id, responseFlags | (address == null ? RCODE_NXDOMAIN : 0), 1,
                answer ? 1 : 0);
        out.put(query.duplicate().position(12).limit(questionEnd));
        if (answer) {
            out.putShort((short) 0xc00c); // the name: a pointer to the question's
            out.putShort((short) TYPE_A).putShort((short) CLASS_IN).putInt(60);
            out.putShort((short) 4).put(address.getAddress());
        }
        return out.flip();
    }

    private static ByteBuffer header(ByteBuffer out, int id, int flags, int questions,
            int answers) {
        return out.putShort((short) id).putShort((short) flags).putShort((short) questions)
                .putShort((short) answers).putShort((short) 0).putShort((short) 0);
    }

    /** Stops; throws what broke the responder, if anything did. */
    @Override
    public void close() throws Exception {
        channel.close();
        thread.join(5000);
        if (failure != null) {
            throw new AssertionError("the DNS responder failed", failure);
        }
    }
}
