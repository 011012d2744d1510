package io.mptcp.it.kafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The unmodified Kafka application of {@link KafkaIT}: an admin client creates a one-partition
 * topic, a producer sends {@code COUNT} records ({@link #value(int)}) and a consumer in a group
 * reads them back from the start, checking each record's offset, key and value, then commits.
 * It prints {@code result=COUNT SHA-256} (the digest of the values in the order consumed),
 * then {@code HOLDING}, keeps all three clients (and their connections) open until a line
 * {@code DONE} on stdin, and prints {@code done}.
 *
 * <p>Arguments: {@code BOOTSTRAP COUNT}.
 */
public final class KafkaClientMain {

    static final String TOPIC = "mptcp-it";

    private KafkaClientMain() {
    }

    /** Record {@code i}'s value: its number and a digest of it, 68 bytes or so. */
    static String value(int i) {
        return i + ":" + sha256(Integer.toString(i));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int count = Integer.parseInt(args[1]);
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        Properties common = new Properties();
        common.put("bootstrap.servers", bootstrap);
        Properties producerProps = new Properties();
        producerProps.putAll(common);
        producerProps.put("acks", "all");
        producerProps.put("linger.ms", "5");
        Properties consumerProps = new Properties();
        consumerProps.putAll(common);
        consumerProps.put("group.id", "mptcp-it");
        consumerProps.put("auto.offset.reset", "earliest");
        consumerProps.put("enable.auto.commit", "false");
        try (Admin admin = Admin.create(common);
                KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps,
                        new StringSerializer(), new StringSerializer());
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps,
                        new StringDeserializer(), new StringDeserializer())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all()
                    .get(60, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, value(i)));
            }
            producer.flush();
            consumer.subscribe(List.of(TOPIC));
            MessageDigest all = MessageDigest.getInstance("SHA-256");
            int received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() != received || !r.key().equals("k" + received)
                            || !r.value().equals(value(received))) {
                        throw new IllegalStateException("record " + received + " out of order"
                                + " or altered: offset " + r.offset() + ", " + r.key() + "="
                                + r.value());
                    }
                    all.update(r.value().getBytes(StandardCharsets.UTF_8));
                    received++;
                }
            }
            consumer.commitSync();
            Map<?, ?> lag = consumer.endOffsets(consumer.assignment());
            System.out.println("end-offsets=" + lag.values());
            System.out.println("result=" + received + " " + HexFormat.of().formatHex(all.digest()));
            System.out.println("HOLDING");
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("DONE"); ) {
                // Only DONE (or the end of stdin) ends the hold.
            }
        }
        System.out.println("done");
    }
}
