package io.mptcp.it.zookeeper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The unmodified ZooKeeper application of {@link ZooKeeperEnsembleIT} (the client's default
 * {@code ClientCnxnSocketNIO}): one session on a follower creates a parent and {@code COUNT}
 * sequential znodes (the follower forwards each write to the leader over the quorum
 * connection), a second session on the leader syncs and reads them back. It prints
 * {@code result=COUNT SHA-256} (the digest of the children's data in name order), then
 * {@code HOLDING}, keeps both sessions open until {@code DONE} on stdin, and prints
 * {@code done}.
 *
 * <p>Arguments: {@code WRITE_CONNECT_STRING READ_CONNECT_STRING COUNT}.
 */
public final class ZooKeeperClientMain {

    static final String PARENT = "/mptcp-it";

    private ZooKeeperClientMain() {
    }

    /** The data of the {@code i}th znode. */
    static byte[] data(int i) {
        return ("znode-" + i).getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[2]);
        try (ZooKeeper writer = connect(args[0]); ZooKeeper reader = connect(args[1])) {
            writer.create(PARENT, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            for (int i = 0; i < count; i++) {
                writer.create(PARENT + "/n-", data(i), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT_SEQUENTIAL);
            }
            CompletableFuture<Integer> synced = new CompletableFuture<>();
            reader.sync(PARENT, (rc, path, ctx) -> synced.complete(rc), null);
            if (synced.get(60, TimeUnit.SECONDS) != 0) {
                throw new IllegalStateException("sync failed: rc " + synced.join());
            }
            List<String> children = reader.getChildren(PARENT, false);
            children.sort(null);
            MessageDigest all = MessageDigest.getInstance("SHA-256");
            for (String child : children) {
                all.update(reader.getData(PARENT + "/" + child, false, null));
            }
            System.out.println("result=" + children.size() + " "
                    + HexFormat.of().formatHex(all.digest()));
            System.out.println("HOLDING");
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("DONE"); ) {
                // Only DONE (or the end of stdin) ends the hold.
            }
        }
        System.out.println("done");
    }

    private static ZooKeeper connect(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, 20000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(60, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no session with " + connectString);
        }
        return zk;
    }
}
