#include "consumers/replay/replay.hpp"

#include "common/json_writer.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"
#include "common/kafka/reader.hpp"
#include "common/log.hpp"
#include "consumers/replay/actions.hpp"
#include "consumers/replay/metrics.hpp"

namespace shopstream::consumers::replay {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kKafkaTimeout = std::chrono::seconds(15);

// What to read: each partition of each topic, from the start of the range to the end it
// has now (so a replay ends even while webhooks keep arriving).
Result<std::vector<Span>> plan_spans(kafka::Reader& reader, const Options& o) {
  std::vector<kafka::PartitionOffset> parts;
  for (const auto& topic : o.topics) {
    auto count = reader.partition_count(topic, std::chrono::seconds(5));
    if (!count) return count.error();
    if (o.partition && *o.partition >= count.value())
      return fail("topic " + topic + " has " + std::to_string(count.value()) +
                  " partitions: there is no partition " + std::to_string(*o.partition));
    for (int p = 0; p < count.value(); ++p)
      if (!o.partition || *o.partition == p) parts.push_back({topic, p, 0});
  }
  auto oldest = reader.offsets_at(parts, kafka::Reader::Edge::kOldest, kKafkaTimeout);
  if (!oldest) return oldest.error();
  auto next = reader.offsets_at(parts, kafka::Reader::Edge::kNext, kKafkaTimeout);
  if (!next) return next.error();
  std::optional<std::vector<kafka::PartitionOffset>> since, until;
  if (o.since_ms) {
    auto at = reader.offsets_at_time(parts, *o.since_ms, kKafkaTimeout);
    if (!at) return at.error();
    since = std::move(at.value());
  }
  if (o.until_ms) {
    auto at = reader.offsets_at_time(parts, *o.until_ms, kKafkaTimeout);
    if (!at) return at.error();
    until = std::move(at.value());
  }
  std::vector<Span> spans;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    Bounds b = o.offsets;
    // -1: the broker cannot look up by time; the records are filtered as they are read.
    if (since && (*since)[i].offset >= 0) b.since_offset = (*since)[i].offset;
    if (until && (*until)[i].offset >= 0) b.until_time_offset = (*until)[i].offset;
    spans.push_back(narrow(
        {parts[i].topic, parts[i].partition, oldest.value()[i].offset, next.value()[i].offset}, b));
  }
  return spans;
}

}  // namespace

Result<Summary> run(const Options& o) {
  const auto started = Clock::now();
  MetricsReporter metrics;
  Summary s;
  auto reader = kafka::Reader::create({.brokers = o.brokers,
                                       .extra_properties = o.kafka_properties,
                                       .client_id = "shopstream-replay",
                                       .fetch_wait = std::chrono::milliseconds(100),
                                       .partition_eof = true});
  if (!reader) return reader.error();
  auto& rd = *reader.value();
  auto spans = plan_spans(rd, o);
  if (!spans) return spans.error();
  s.spans = spans.value();
  std::map<std::pair<std::string, std::int32_t>, const Span*> open;
  std::vector<kafka::PartitionOffset> assignment;
  for (const auto& sp : s.spans) {
    s.total += sp.size();
    if (sp.size() == 0) continue;
    open[{sp.topic, sp.partition}] = &sp;
    assignment.push_back({sp.topic, sp.partition, sp.begin});
  }
  metrics.observe(s);

  Targets targets(rd);
  std::unique_ptr<kafka::Producer> producer;
  std::optional<Projecting> projecting;
  std::optional<Republishing> republishing;
  if (o.action == Action::kRepublish) {
    auto p = kafka::Producer::create({.brokers = o.brokers,
                                      .extra_properties = o.kafka_properties,
                                      .client_id = "shopstream-replay"});
    if (!p) return p.error();
    producer = std::move(p.value());
    republishing.emplace(*producer, targets, o, s);
  } else if (o.action == Action::kProject) {
    projecting.emplace(o, s);
  }

  if (auto err = rd.assign(assignment)) return *err;
  auto last_seen = Clock::now();
  auto last_progress = Clock::now();
  std::optional<Error> failure;
  while (!open.empty() && !failure) {
    if (o.stop && o.stop->load()) {
      s.stopped = true;
      break;
    }
    auto m = rd.poll(std::chrono::milliseconds(100));
    const auto now = Clock::now();
    if (now - last_progress >= std::chrono::milliseconds(500)) {
      if (o.progress) o.progress(s.read, s.total, s.matched);
      metrics.observe(s);
      last_progress = now;
    }
    // A record or a partition's end; errors do not count, or an outage that keeps
    // reporting itself would never end the replay.
    if (m && (!m->err || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)) {
      last_seen = now;
    } else if (now - last_seen > o.stall_timeout) {
      failure = fail("no record from Kafka for " + std::to_string(o.stall_timeout.count() / 1000) +
                         " s; " + std::to_string(open.size()) + " partition(s) not read to the end",
                     true);
      continue;
    }
    if (!m) continue;
    if (!m->rkt) {  // an error of the consumer's, not of a partition's
      log::warn("kafka read error", {{"error", rd_kafka_message_errstr(m.get())}});
      continue;
    }
    auto it = open.find({rd_kafka_topic_name(m->rkt), m->partition});
    if (it == open.end()) continue;  // a partition already read to its end
    const Span& sp = *it->second;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (m->offset >= sp.end) open.erase(it);
      continue;
    }
    if (m->err) {
      log::warn("kafka read error", {{"error", rd_kafka_message_errstr(m.get())}});
      continue;
    }
    if (m->offset >= sp.end) {
      open.erase(it);
      continue;
    }
    ++s.read;
    if (m->offset + 1 >= sp.end) open.erase(it);
    if (!o.shop.empty() && kafka::header_view(m.get(), "x-shopify-shop-domain") != o.shop) continue;
    if (o.since_ms || o.until_ms) {
      const auto ts = rd_kafka_message_timestamp(m.get(), nullptr);
      if ((o.since_ms && ts < *o.since_ms) || (o.until_ms && ts >= *o.until_ms)) continue;
    }
    ++s.matched;
    ++s.by_topic[std::string(kafka::header_view(m.get(), "x-shopify-topic"))];
    if (projecting) {
      failure = projecting->add(m.get());
    } else if (republishing) {
      failure = republishing->add(m.get());
    } else if (!o.republish_to.empty()) {  // a dry run
      auto target = republish_target(o.republish_to, kafka::headers_of(m.get()));
      failure = targets.check(target);
      ++s.by_target[target];
    }
  }
  if (projecting && !failure) failure = projecting->flush();
  if (republishing) republishing->finish();
  if (o.progress) o.progress(s.read, s.total, s.matched);
  s.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  metrics.finish(s, failure.has_value());
  if (failure) {
    log::error("replay stopped by an error",
               {{"error", failure->message}, {"summary", log::Json{summary_json(s)}}});
    return *failure;
  }
  return s;
}

std::string summary_json(const Summary& s) {
  JsonWriter w;
  w.begin_object();
  w.key("records").number(static_cast<std::int64_t>(s.total));
  w.key("read").number(static_cast<std::int64_t>(s.read));
  w.key("matched").number(static_cast<std::int64_t>(s.matched));
  w.key("topics").begin_object();
  for (const auto& [k, n] : s.by_topic) w.key(k).number(static_cast<std::int64_t>(n));
  w.end_object();
  if (!s.outcomes.empty()) {
    w.key("outcomes").begin_object();
    for (const auto& [k, n] : s.outcomes) w.key(k).number(static_cast<std::int64_t>(n));
    w.end_object();
  }
  if (!s.by_target.empty()) {
    w.key("targets").begin_object();
    for (const auto& [k, n] : s.by_target)
      w.key(k.empty() ? "(no origin)" : k).number(static_cast<std::int64_t>(n));
    w.end_object();
  }
  w.key("republished").number(static_cast<std::int64_t>(s.republished));
  w.key("failed").number(static_cast<std::int64_t>(s.failed));
  w.key("no_origin").number(static_cast<std::int64_t>(s.no_origin));
  w.key("stopped").boolean(s.stopped);
  w.key("partitions").begin_array();
  for (const auto& sp : s.spans) {
    w.begin_object();
    w.key("topic").string(sp.topic);
    w.key("partition").number(sp.partition);
    w.key("from").number(sp.begin);
    w.key("until").number(sp.end);
    w.end_object();
  }
  w.end_array();
  w.key("seconds").raw(std::to_string(s.seconds));
  w.end_object();
  return w.take();
}

}  // namespace shopstream::consumers::replay
