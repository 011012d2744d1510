package io.mptcp.it.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Ports;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Route;
import io.mptcp.it.support.Scratch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An unmodified Kafka 4 broker in KRaft combined mode ({@code kafka.Kafka server.properties},
 * broker and controller in one JVM, storage formatted first by {@code kafka.tools.StorageTool})
 * and an unmodified client program ({@link KafkaClientMain}: admin, producer, consumer group)
 * in a second JVM, both on the same route: {@value #COUNT} records produced and consumed back
 * with their order, keys and values checked and their digest compared here. While the clients
 * hold their connections, the kernel ({@code ss -M}) must list every connection to the broker
 * listener and every connection to the controller listener (the broker's own, to its
 * controller) as MPTCP at both ends, with the agent and with the system properties; on the
 * JDK's defaults, every one is plain TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaIT {

    private static final Duration STEP = Duration.ofSeconds(90);
    private static final int COUNT = 5000;
    // Small heaps, serial GC, C1 only: three short-lived JVMs on a 2-core machine.
    private static final List<String> JVM = List.of("-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        Route.agentJar();
        ChildJvm.requireOnClassPath(KafkaClientMain.class, kafka.Kafka.class, Uuid.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Route.class, names = {"AGENT", "PROPERTIES", "JDK"})
    void producerAndConsumerExchangeCheckedRecordsWithTheBrokerOverMptcp(Route route)
            throws Exception {
        Path dir = Scratch.create("kafka");
        try {
            int broker = Ports.free();
            int controller = Ports.free();
            Path config = dir.resolve("server.properties");
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controller,
                    "listeners=PLAINTEXT://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:"
                            + controller,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + broker,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "log.dirs=" + dir.resolve("logs"),
                    "num.partitions=1",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    ""));
            // Formatting touches no network: on the JDK's defaults whatever the route.
            try (ChildJvm format = Route.JDK.start(JVM, "kafka.tools.StorageTool", "format",
                    "-t", Uuid.randomUuid().toString(), "-c", config.toString())) {
                assertEquals(0, format.awaitExit(STEP), format::describe);
            }
            try (ChildJvm server = route.start(JVM, "kafka.Kafka", config.toString())) {
                Ports.awaitListening(broker, STEP, server::isAlive, server::describe);
                try (ChildJvm client = route.start(JVM, KafkaClientMain.class.getName(),
                        "127.0.0.1:" + broker, Integer.toString(COUNT))) {
                    String result = client.awaitLine(l -> l.startsWith("result="), STEP,
                            "result=");
                    assertEquals("result=" + COUNT + " " + expectedDigest(), result,
                            () -> client.describe() + server.describe());
                    client.awaitLine("HOLDING"::equals, STEP, "HOLDING");
                    List<KernelView> toBroker = KernelView.connectionsOn(broker);
                    List<KernelView> toController = KernelView.connectionsOn(controller);
                    String seen = "broker listener " + broker + ": " + toBroker
                            + "\ncontroller listener " + controller + ": " + toController;
                    System.out.println(route + ", JDK " + Runtime.version() + ": "
                            + toBroker.size() + " connections to the"
                            + " broker, " + toController.size() + " to the controller");
                    // Admin, producer, consumer (fetch and group coordinator) at least.
                    assertTrue(toBroker.size() >= 3, seen);
                    assertTrue(toController.size() >= 1, seen);
                    for (KernelView view : concat(toBroker, toController)) {
                        assertTrue(route.ours() ? view.isMptcp() : view.isPlainTcp(),
                                () -> "expected " + (route.ours() ? "MPTCP" : "plain TCP")
                                        + ": " + view + "\n" + seen);
                    }
                    client.send("DONE");
                    client.awaitLine("done"::equals, STEP, "done");
                    assertEquals(0, client.awaitExit(STEP), client::describe);
                    route.checkTranscript(client.describe());
                }
                route.checkTranscript(server.describe());
            }
        } finally {
            Scratch.delete(dir);
        }
    }

    private static String expectedDigest() throws Exception {
        MessageDigest all = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < COUNT; i++) {
            all.update(KafkaClientMain.value(i).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(all.digest());
    }

    private static List<KernelView> concat(List<KernelView> a, List<KernelView> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
