import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Readiness probe and topic setup for test/services/kafka, in one JVM (a JVM per kafka-topics call
 * would cost seconds per topic).
 *
 * Usage: KafkaSetup BOOTSTRAP TIMEOUT_MS DEFAULT_PARTITIONS [TOPICS]
 *   TOPICS: comma-separated, each NAME or NAME:PARTITIONS.
 *
 * Waits until the broker answers a metadata request (describeCluster) and lists its topics,
 * creates the missing topics (replication factor 1), then waits until every partition of
 * every requested topic has a leader, so that a producer started right after does not race
 * the metadata propagation. Progress and errors go to stderr; exit 0 = ready, 1 = not ready
 * within TIMEOUT_MS, 2 = bad arguments or a topic that cannot be created.
 */
public final class KafkaSetup {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: KafkaSetup BOOTSTRAP TIMEOUT_MS DEFAULT_PARTITIONS [TOPICS]");
            System.exit(2);
        }
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        int defaultPartitions = Integer.parseInt(args[2]);
        Map<String, Integer> wanted = parseTopics(args.length > 3 ? args[3] : "", defaultPartitions);

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "test-services-kafka-setup");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "250");
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "250");

        try (Admin admin = Admin.create(props)) {
            Collection<String> existing = null;
            while (existing == null) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get();
                    existing = admin.listTopics().names().get();
                    System.err.println("kafka: broker answers metadata requests (nodes: " + nodes.size()
                            + ", topics: " + existing.size() + ")");
                } catch (ExecutionException e) {
                    giveUpIfLate(deadline, "broker did not answer: " + e.getCause());
                    Thread.sleep(100);
                }
            }

            List<NewTopic> missing = new ArrayList<>();
            for (Map.Entry<String, Integer> t : wanted.entrySet()) {
                if (!existing.contains(t.getKey())) missing.add(new NewTopic(t.getKey(), t.getValue(), (short) 1));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).values().forEach((name, future) -> {
                    try {
                        future.get();
                        System.err.println("kafka: created topic " + name + " (" + wanted.get(name) + " partitions)");
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            System.err.println("kafka: cannot create topic " + name + ": " + e.getCause());
                            System.exit(2);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        System.exit(1);
                    }
                });
            }

            while (!wanted.isEmpty()) {
                try {
                    Map<String, TopicDescription> described = admin.describeTopics(wanted.keySet()).allTopicNames().get();
                    boolean allLed = described.values().stream()
                            .allMatch(d -> d.partitions().stream().map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty()));
                    if (allLed) break;
                } catch (ExecutionException e) {
                    // UnknownTopicOrPartition right after creation: metadata not propagated yet
                }
                giveUpIfLate(deadline, "topic partitions have no leader yet");
                Thread.sleep(100);
            }
        }
    }

    private static Map<String, Integer> parseTopics(String spec, int defaultPartitions) {
        Map<String, Integer> topics = new HashMap<>();
        for (String raw : spec.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) continue;
            int colon = entry.lastIndexOf(':');
            String name = colon < 0 ? entry : entry.substring(0, colon).trim();
            int partitions = defaultPartitions;
            if (colon >= 0) {
                try {
                    partitions = Integer.parseInt(entry.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    partitions = -1;
                }
            }
            if (name.isEmpty() || partitions < 1) {
                System.err.println("kafka: bad entry in KAFKA_TOPICS: '" + entry + "' (want NAME or NAME:PARTITIONS)");
                System.exit(2);
            }
            topics.put(name, partitions);
        }
        return topics;
    }

    private static void giveUpIfLate(long deadline, String why) {
        if (System.nanoTime() - deadline > 0) {
            System.err.println("kafka: not ready in time: " + why);
            System.exit(1);
        }
    }
}
