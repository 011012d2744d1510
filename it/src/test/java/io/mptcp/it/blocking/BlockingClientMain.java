package io.mptcp.it.blocking;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import redis.clients.jedis.Jedis;

/**
 * The unmodified "application" of the blocking-socket ITs: a PostgreSQL JDBC or Jedis client
 * that runs a few commands, checks the answers, and holds its connection open for a while so
 * that the test can ask the kernel about it. It prints {@code result=...} lines, then
 * {@code ready local-port=N}, then {@code done}. Nothing here names mptcp-nio: the agent (or
 * the class-path launcher) makes its sockets MPTCP.
 *
 * <p>Arguments: {@code pg PORT HOLD_MILLIS} or {@code redis PORT HOLD_MILLIS}.
 */
public final class BlockingClientMain {

    private BlockingClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        long hold = Long.parseLong(args[2]);
        if (kind.equals("pg")) {
            postgres(port, hold);
        } else {
            redis(port, hold);
        }
        System.out.println("done");
    }

    private static void postgres(int port, long hold) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=test"
                + "&sslmode=disable&ApplicationName=mptcp-nio-it";
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("create temporary table t (id int primary key, v text)");
            st.execute("insert into t select g, md5(g::text) from generate_series(1, 20000) g");
            try (ResultSet rs = st.executeQuery(
                    "select count(*), sum(id), string_agg(v, '' order by id) from t")) {
                rs.next();
                System.out.println("result=" + rs.getLong(1) + " " + rs.getLong(2) + " "
                        + sha256(rs.getString(3)));
            }
            try (ResultSet rs = st.executeQuery(
                    "select local_port from (select inet_client_port() as local_port) x")) {
                rs.next();
                System.out.println("ready local-port=" + rs.getInt(1));
            }
            Thread.sleep(hold);
            try (ResultSet rs = st.executeQuery("select 6 * 7")) {
                rs.next();
                System.out.println("result-after=" + rs.getInt(1));
            }
        }
    }

    private static void redis(int port, long hold) throws Exception {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            StringBuilder big = new StringBuilder();
            for (int i = 0; i < 20000; i++) {
                big.append(i).append(',');
            }
            jedis.del("list");
            jedis.set("k", big.toString());
            String back = jedis.get("k");
            for (int i = 0; i < 1000; i++) {
                jedis.rpush("list", Integer.toString(i));
            }
            System.out.println("result=" + back.equals(big.toString()) + " "
                    + jedis.llen("list") + " " + jedis.lindex("list", 999));
            // CLIENT INFO names the client's address as the server sees it.
            String info = jedis.clientInfo();
            String addr = info.replaceAll("(?s).*\\baddr=([^ ]+).*", "$1");
            System.out.println("ready local-port=" + addr.substring(addr.lastIndexOf(':') + 1));
            Thread.sleep(hold);
            System.out.println("result-after=" + jedis.ping());
        }
    }

    private static String sha256(String s) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d);
    }
}
