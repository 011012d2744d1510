package io.mptcp.it.blocking;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;

import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The unmodified Lettuce application of {@code LettuceIT}: Lettuce runs its connection on a
 * Netty NIO event loop (native transports are not on the class path), so it is MPTCP when the
 * JVM's {@code SelectorProvider} is mptcp-nio's. It runs synchronous commands and 1,000
 * pipelined asynchronous {@code INCR}s, checks the answers, and follows the protocol of
 * {@link BlockingClients}: {@code result=}, {@code ready local-port=N}, a pause,
 * {@code result-after=}, {@code done}.
 *
 * <p>Arguments: {@code PORT HOLD_MILLIS}.
 */
public final class LettuceClientMain {

    private LettuceClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long hold = Long.parseLong(args[1]);
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        String transport = EpollProvider.isAvailable() ? "epoll"
                : IOUringProvider.isAvailable() ? "io_uring" : "nio";
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> sync = connection.sync();
            StringBuilder big = new StringBuilder();
            for (int i = 0; i < 20000; i++) {
                big.append(i).append(',');
            }
            sync.del("lettuce-list", "lettuce-counter");
            sync.set("lettuce-k", big.toString());
            String back = sync.get("lettuce-k");
            for (int i = 0; i < 1000; i++) {
                sync.rpush("lettuce-list", Integer.toString(i));
            }
            // Pipelined: all 1,000 sent before the first answer is awaited.
            RedisAsyncCommands<String, String> async = connection.async();
            List<RedisFuture<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                incrs.add(async.incr("lettuce-counter"));
            }
            if (!LettuceFutures.awaitAll(Duration.ofSeconds(60),
                    incrs.toArray(new RedisFuture<?>[0]))) {
                throw new IllegalStateException("the pipelined INCRs did not complete");
            }
            long distinct = incrs.stream().map(f -> f.toCompletableFuture().join()).distinct()
                    .count();
            System.out.println("result=" + back.equals(big.toString()) + " "
                    + sync.llen("lettuce-list") + " " + sync.lindex("lettuce-list", 999) + " "
                    + sync.get("lettuce-counter") + " " + distinct + " " + transport);
            // CLIENT INFO names the client's address as the server sees it.
            String info = sync.clientInfo();
            String addr = info.replaceAll("(?s).*\\baddr=([^ ]+).*", "$1");
            System.out.println("ready local-port=" + addr.substring(addr.lastIndexOf(':') + 1));
            Thread.sleep(hold);
            System.out.println("result-after=" + sync.ping());
        } finally {
            client.shutdown();
        }
        System.out.println("done");
    }
}
