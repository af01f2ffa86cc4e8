#!/usr/bin/env bash
# A real single-node Apache Kafka (KRaft, no ZooKeeper) for the tests: the broker's jars come
# from Maven (`mvn dependency:copy-dependencies` of org.apache.kafka:kafka_2.13), cached outside
# the checkout in ~/.cache/brief-kafka/<version>/, and one broker+controller listens on 127.0.0.1.
# Source it, then: kafka_install; kafka_start DIR (exports KAFKA_BOOTSTRAP, writes
# DIR/bootstrap); kafka_stop DIR. Needs Java 17+ and Maven.
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_LOG4J_VERSION="${KAFKA_LOG4J_VERSION:-2.25.5}"
KAFKA_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/brief-kafka/kafka_2.13-$KAFKA_VERSION"

# Fetches the broker's runtime jars once per version. Kafka 4.4 logs through slf4j-api 1.7, so
# the binding is log4j-slf4j-impl (not the slf4j2 bridge), with log4j-core/api.
kafka_install() {
  # Java 17 and Maven (Debian's) when missing: Kafka runs on the JVM, Maven fetches its jars.
  local need=()
  command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
  command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || need+=(maven)
  if [ "${#need[@]}" -gt 0 ]; then
    echo "installing ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ -f "$KAFKA_CACHE/.complete" ]; then
    return 0
  fi
  local pom="$KAFKA_CACHE/pom"
  mkdir -p "$pom" "$KAFKA_CACHE/libs"
  cat >"$pom/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>brief.local</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  echo "fetching Kafka $KAFKA_VERSION jars with Maven"
  (cd "$pom" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_CACHE/libs") || return 1
  cat >"$KAFKA_CACHE/log4j2.properties" <<'EOF'
status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
EOF
  # Readiness: one record produced with acks=all (kafka-tools, with ProducerPerformance, is not
  # a dependency of the broker, so a small producer is compiled once).
  mkdir -p "$KAFKA_CACHE/ready"
  cat >"$KAFKA_CACHE/ready/Ready.java" <<'EOF'
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

public class Ready {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("acks", "all");
    p.put("max.block.ms", "3000");
    p.put("request.timeout.ms", "2000");
    p.put("delivery.timeout.ms", "3000");
    p.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    p.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    for (int i = 0; i < 120; i++) {
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        producer.send(new ProducerRecord<>("brief-ready", "ready")).get();
        return;
      } catch (Exception e) {
        Thread.sleep(500);
      }
    }
    System.err.println("no produce with acks=all succeeded within about 60 s");
    System.exit(1);
  }
}
EOF
  javac -nowarn -cp "$KAFKA_CACHE/libs/*" -d "$KAFKA_CACHE/ready" "$KAFKA_CACHE/ready/Ready.java" || return 1
  touch "$KAFKA_CACHE/.complete"
}

# A free TCP port on 127.0.0.1.
kafka_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

kafka_java() {
  java -Xmx256m -Xms64m -Dlog4j2.configurationFile="$KAFKA_CACHE/log4j2.properties" \
    -cp "$KAFKA_CACHE/libs/*" "$@"
}

# Formats DIR's storage (first start only) and starts the broker; waits until a produce with
# acks=all succeeds (an open port is not ready). Exports KAFKA_BOOTSTRAP=127.0.0.1:PORT.
# Restarting on the same DIR keeps the data and the ports.
kafka_start() {
  local dir="$1" port cport
  mkdir -p "$dir"
  if [ ! -f "$dir/server.properties" ]; then
    port="$(kafka_free_port)"
    cport="$(kafka_free_port)"
    cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
log.cleaner.dedupe.buffer.size=8388608
EOF
    echo "127.0.0.1:$port" >"$dir/bootstrap"
    local uuid
    uuid="$(kafka_java kafka.tools.StorageTool random-uuid)" || return 1
    kafka_java kafka.tools.StorageTool format -t "$uuid" -c "$dir/server.properties" --standalone \
      >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; return 1; }
  fi
  # java itself in the background (not a function's subshell), so that the pid is the broker's.
  java -Xmx256m -Xms64m -Dlog4j2.configurationFile="$KAFKA_CACHE/log4j2.properties" \
    -cp "$KAFKA_CACHE/libs/*" kafka.Kafka "$dir/server.properties" >>"$dir/kafka.log" 2>&1 &
  echo $! >"$dir/kafka.pid"
  KAFKA_BOOTSTRAP="$(cat "$dir/bootstrap")"
  export KAFKA_BOOTSTRAP
  if java -cp "$KAFKA_CACHE/ready:$KAFKA_CACHE/libs/*" \
    -Dlog4j2.configurationFile="$KAFKA_CACHE/log4j2.properties" Ready "$KAFKA_BOOTSTRAP" >"$dir/ready.log" 2>&1; then
    return 0
  fi
  echo "kafka did not accept a produce with acks=all; its log:" >&2
  tail -n 40 "$dir/kafka.log" >&2
  return 1
}

# Stops the broker of DIR (SIGTERM, then SIGKILL after 20 s).
kafka_stop() {
  local dir="$1" pid i
  [ -f "$dir/kafka.pid" ] || return 0
  pid="$(cat "$dir/kafka.pid")"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/kafka.pid"
}
