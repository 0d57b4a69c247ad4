#include "consumers/replay/replay.hpp"

#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "common/json_writer.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"
#include "common/kafka/reader.hpp"
#include "common/log.hpp"
#include "consumers/apply.hpp"
#include "projections/plan.hpp"

namespace shopstream::consumers::replay {
namespace {

using Clock = std::chrono::steady_clock;
using projections::Event;
constexpr auto kKafkaTimeout = std::chrono::seconds(15);
constexpr int kApplyAttempts = 8;

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

// Re-applies batches of events to the read models, retrying what Postgres may yet take.
class Projecting {
 public:
  Projecting(const Options& o, Summary& s) : o_(o), s_(s) {}

  std::optional<Error> add(const rd_kafka_message_t* m) {
    events_.push_back(Event::from_message(m));
    return events_.size() >= o_.batch ? flush() : std::nullopt;
  }

  std::optional<Error> flush() {
    if (events_.empty()) return std::nullopt;
    auto plan = projections::plan_batch(events_);
    set_aside(plan.deadletters);
    std::string last_error;
    for (int attempt = 0; attempt < kApplyAttempts; ++attempt) {
      try {
        if (!db_ || !db_->is_open()) db_ = std::make_unique<pqxx::connection>(o_.database_url);
        projections::Outcomes outcomes;
        apply_events(
            *db_, events_, plan, outcomes,
            [this](const std::vector<projections::Deadletter>& dead) {
              set_aside(dead);
              return true;
            },
            [](pqxx::transaction_base&) {});
        for (const auto& [k, n] : outcomes.counts) s_.outcomes[k.second] += n;
        events_.clear();
        return std::nullopt;
      } catch (const std::exception& e) {
        last_error = e.what();
        db_.reset();
        log::warn("cannot apply a batch; retrying", {{"error", last_error}});
        if (o_.stop && o_.stop->load()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200 << std::min(attempt, 5)));
      }
    }
    return fail("postgres: " + last_error, true);
  }

 private:
  // Events the read models cannot hold: the projector deadlettered them when it read
  // them; replay logs them and counts them, and writes them nowhere.
  void set_aside(const std::vector<projections::Deadletter>& dead) {
    for (const auto& d : dead)
      log::warn("event cannot be applied", {{"topic", d.event->kafka_topic},
                                            {"partition", d.event->partition},
                                            {"offset", d.event->offset},
                                            {"reason", d.reason}});
  }

  const Options& o_;
  Summary& s_;
  std::vector<Event> events_;
  std::unique_ptr<pqxx::connection> db_;
};

// The topics records go to, each checked once to exist: a missing one stops the replay
// at its first record, before records queue up for it and time out one by one.
class Targets {
 public:
  explicit Targets(kafka::Reader& reader) : reader_(reader) {}
  std::optional<Error> check(const std::string& topic) {
    if (topic.empty() || checked_.count(topic)) return std::nullopt;
    auto partitions = reader_.partition_count(topic, std::chrono::seconds(5));
    if (!partitions)
      return fail("cannot republish to " + topic + ": " + partitions.error().message);
    checked_.insert(topic);
    return std::nullopt;
  }

 private:
  kafka::Reader& reader_;
  std::set<std::string> checked_;
};

// Publishes records again, each durable before the replay reports it published.
class Republishing {
 public:
  Republishing(kafka::Producer& producer, Targets& targets, const Options& o, Summary& s)
      : producer_(producer), targets_(targets), o_(o), s_(s) {}

  std::optional<Error> add(const rd_kafka_message_t* m) {
    auto headers = kafka::headers_of(m);
    auto target = republish_target(o_.republish_to, headers);
    if (target.empty()) {
      ++s_.no_origin;
      log::warn("record has no origin topic; not republished",
                {{"topic", rd_kafka_topic_name(m->rkt)},
                 {"partition", m->partition},
                 {"offset", m->offset}});
      return std::nullopt;
    }
    if (auto err = targets_.check(target)) return err;
    ++s_.by_target[target];
    kafka::Record r{target, m->key ? std::string(static_cast<const char*>(m->key), m->key_len) : "",
                    m->payload ? std::string(static_cast<const char*>(m->payload), m->len) : "",
                    republished_headers(headers)};
    const std::uint64_t bytes = r.value.size() + r.key.size();
    // Reading runs ahead of acknowledging: hold at most kMaxUnacked bytes in the producer.
    while (unacked() > kMaxUnacked) producer_.flush(std::chrono::milliseconds(100));
    {
      std::lock_guard lock(mu_);
      unacked_ += bytes;
    }
    for (;;) {
      auto err = producer_.produce(r, [this, bytes](const kafka::Delivery& d) {
        std::lock_guard lock(mu_);
        ++done_;
        unacked_ -= bytes;
        if (d.ok()) {
          ++ok_;
        } else {
          ++failed_;
          log::warn("record not republished", {{"error", d.error()}});
        }
      });
      if (!err) break;
      if (!err->retryable) {
        std::lock_guard lock(mu_);
        unacked_ -= bytes;
        return err;
      }
      producer_.flush(std::chrono::milliseconds(100));  // queue full: wait for acks
    }
    std::lock_guard lock(mu_);
    ++produced_;
    return std::nullopt;
  }

  // Waits for every delivery report.
  void finish() {
    while (producer_.flush(std::chrono::seconds(1)) > 0) {
    }
    std::lock_guard lock(mu_);
    s_.republished = ok_;
    s_.failed = failed_ + (produced_ - done_);
  }

 private:
  static constexpr std::uint64_t kMaxUnacked = 64ull << 20;
  std::uint64_t unacked() {
    std::lock_guard lock(mu_);
    return unacked_;
  }

  kafka::Producer& producer_;
  Targets& targets_;
  const Options& o_;
  Summary& s_;
  std::mutex mu_;
  std::uint64_t produced_ = 0, done_ = 0, ok_ = 0, failed_ = 0;
  std::uint64_t unacked_ = 0;  // bytes of records produced and not yet reported
};

}  // namespace

Result<Summary> run(const Options& o) {
  const auto started = Clock::now();
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
    if (o.progress && now - last_progress >= std::chrono::milliseconds(500)) {
      o.progress(s.read, s.total, s.matched);
      last_progress = now;
    }
    if (!m) {
      if (now - last_seen > o.stall_timeout)
        failure =
            fail("no record from Kafka for " + std::to_string(o.stall_timeout.count() / 1000) +
                     " s; " + std::to_string(open.size()) + " partition(s) not read to the end",
                 true);
      continue;
    }
    last_seen = now;
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
