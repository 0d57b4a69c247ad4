#include "consumers/projector.hpp"

#include <librdkafka/rdkafka.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "common/kafka/conf.hpp"
#include "common/log.hpp"
#include "common/routing.hpp"
#include "consumers/apply.hpp"
#include "consumers/projector_metrics.hpp"
#include "projections/plan.hpp"
#include "projections/writer.hpp"

namespace shopstream::consumers {
namespace {

using projections::Event;
using Clock = std::chrono::steady_clock;

constexpr const char* kLoadOffsets = R"sql(
SELECT topic, partition, next_offset FROM shopstream.consumer_offsets WHERE consumer_group = $1)sql";

// Offsets never move backwards, so a consumer that lost its partitions while stuck in a
// long transaction cannot rewind the new owner (re-applying would be harmless anyway).
constexpr const char* kSaveOffsets = R"sql(
INSERT INTO shopstream.consumer_offsets AS c (consumer_group, topic, partition, next_offset)
SELECT $1, * FROM unnest($2::text[], $3::integer[], $4::bigint[])
ON CONFLICT (consumer_group, topic, partition) DO UPDATE
  SET next_offset = GREATEST(c.next_offset, EXCLUDED.next_offset), updated_at = now())sql";

}  // namespace

struct Projector::Impl {
  Impl(ProjectorOptions o, kafka::Producer& d) : opts(std::move(o)), deadletters(d) {}
  Impl(const Impl&) = delete;
  ProjectorOptions opts;
  kafka::Producer& deadletters;
  rd_kafka_t* rk = nullptr;
  std::unique_ptr<pqxx::connection> pg;
  std::vector<Event> pending;  // being read; the poll thread's alone
  Clock::time_point first_pending;
  const std::atomic<bool>* stop = nullptr;
  ProjectorMetrics& metrics = ProjectorMetrics::get();

  // A batch read and decoded, handed to the applier thread: Postgres applies one batch
  // while the poll thread reads and decodes the next. One in flight at a time, so
  // batches still commit in order.
  struct Batch {
    std::vector<Event> events;
    projections::Plan plan;  // points into `events`
  };
  std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<Batch> job;  // handed over, not yet applied (or given up)
  bool quit = false;
  std::thread applier;

  // Whether librdkafka's prefetch queue was seen full since the fetcher was last woken.
  bool prefetch_full = false;
  std::size_t prefetch_bytes = 65536 * 1024;  // queued.max.messages.kbytes
  std::size_t record_bytes = 0;
  rd_kafka_queue_t* consumer_queue = nullptr;

  ~Impl() {
    {
      std::lock_guard lock(mu);
      quit = true;
    }
    cv.notify_all();
    if (applier.joinable()) applier.join();
    if (consumer_queue) rd_kafka_queue_destroy(consumer_queue);
    if (rk) rd_kafka_destroy(rk);
  }

  bool stopping() const { return stop && stop->load(); }

  pqxx::connection& db() {
    if (!pg || !pg->is_open()) pg = std::make_unique<pqxx::connection>(opts.database_url);
    return *pg;
  }

  void backoff(int attempt) {
    auto wait = std::chrono::milliseconds(std::min(5000, 100 << std::min(attempt, 6)));
    for (auto end = Clock::now() + wait; Clock::now() < end && !stopping();)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  // Positions of the assigned partitions from Postgres (the truth), or the beginning.
  void assign(rd_kafka_topic_partition_list_t* parts) {
    for (int attempt = 0;; ++attempt) {
      try {
        pqxx::nontransaction tx(db());
        std::map<std::pair<std::string, int>, std::int64_t> stored;
        for (auto row : tx.exec_params(kLoadOffsets, opts.group_id))
          stored[{row[0].as<std::string>(), row[1].as<int>()}] = row[2].as<std::int64_t>();
        for (int i = 0; i < parts->cnt; ++i) {
          auto& p = parts->elems[i];
          auto it = stored.find({p.topic, p.partition});
          p.offset = it == stored.end() ? RD_KAFKA_OFFSET_BEGINNING : it->second;
        }
        rd_kafka_assign(rk, parts);
        log::info("partitions assigned", {{"count", parts->cnt}});
        return;
      } catch (const std::exception& e) {
        pg.reset();
        log::warn("cannot read consumer offsets; retrying", {{"error", e.what()}});
        if (stopping()) {
          rd_kafka_assign(rk, nullptr);
          return;
        }
        backoff(attempt);
      }
    }
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->drain();  // stored offsets include every batch read before
      self->assign(parts);
    } else {
      // Apply what was read from these partitions before giving them up; if that cannot
      // be done now, the next owner re-reads it from the stored offsets.
      self->submit();
      self->drain();
      rd_kafka_assign(rk, nullptr);
    }
  }

  // Publishes deadletters and waits for their durable acks. False if any failed.
  bool publish_deadletters(const std::vector<projections::Deadletter>& dead) {
    std::mutex mu;
    std::condition_variable cv;
    std::size_t outstanding = 0;
    bool failed = false;
    auto topic = routing::deadletter_topic(opts.topic_prefix);
    for (const auto& d : dead) {
      kafka::Record r{topic,
                      d.event->key,
                      d.event->value,
                      d.event->headers,
                      d.event->null_key,
                      d.event->null_value};
      r.headers.push_back({"shopstream-deadletter-reason", d.reason});
      r.headers.push_back({"shopstream-deadletter-topic", d.event->kafka_topic});
      r.headers.push_back({"shopstream-deadletter-partition", std::to_string(d.event->partition)});
      r.headers.push_back({"shopstream-deadletter-offset", std::to_string(d.event->offset)});
      {
        std::lock_guard lock(mu);
        ++outstanding;
      }
      auto err = deadletters.produce(std::move(r), [&](const kafka::Delivery& del) {
        std::lock_guard lock(mu);
        if (!del.ok()) failed = true;
        if (--outstanding == 0) cv.notify_all();
      });
      if (err) {
        std::lock_guard lock(mu);
        --outstanding;
        failed = true;
      }
      log::warn("event deadlettered", {{"topic", d.event->kafka_topic},
                                       {"partition", d.event->partition},
                                       {"offset", d.event->offset},
                                       {"reason", d.reason}});
    }
    std::unique_lock lock(mu);
    // The handlers capture locals: wait for every one of them, however long it takes.
    cv.wait(lock, [&] { return outstanding == 0; });
    return !failed;
  }

  // The next offset of every partition a batch read from.
  static std::map<std::pair<std::string, int>, std::int64_t> next_offsets(
      const std::vector<Event>& events) {
    std::map<std::pair<std::string, int>, std::int64_t> next;
    for (const auto& e : events) {
      auto& n = next[{e.kafka_topic, e.partition}];
      n = std::max(n, e.offset + 1);
    }
    return next;
  }

  void save_offsets(pqxx::transaction_base& tx, const std::vector<Event>& events) {
    auto next = next_offsets(events);
    projections::PgArray topics, partitions, offsets;
    for (const auto& [tp, off] : next) {
      topics.emplace_back(tp.first);
      partitions.emplace_back(static_cast<std::int64_t>(tp.second));
      offsets.emplace_back(off);
    }
    tx.exec_params(kSaveOffsets, opts.group_id, topics.str(), partitions.str(), offsets.str());
  }

  // Applies a batch in one transaction with its offsets. True when done.
  bool try_apply(const Batch& batch) {
    auto started = Clock::now();
    const auto& plan = batch.plan;
    if (!plan.deadletters.empty() && !publish_deadletters(plan.deadletters)) {
      log::warn("deadletter topic unavailable; retrying the batch");
      return false;
    }
    projections::Outcomes outcomes;
    try {
      if (!apply_events(
              db(), batch.events, plan, outcomes,
              [&](const std::vector<projections::Deadletter>& dead) {
                return publish_deadletters(dead);
              },
              [&](pqxx::transaction_base& tx) { save_offsets(tx, batch.events); }))
        return false;
    } catch (const pqxx::broken_connection& e) {
      pg.reset();
      log::warn("postgres connection lost; retrying the batch", {{"error", e.what()}});
      return false;
    } catch (const pqxx::sql_error& e) {
      log::warn("retryable postgres error; retrying the batch",
                {{"error", e.what()}, {"sqlstate", e.sqlstate()}});
      return false;
    } catch (const std::exception& e) {
      pg.reset();
      log::warn("postgres error; retrying the batch", {{"error", e.what()}});
      return false;
    }
    metrics.transaction_seconds.Observe(
        std::chrono::duration<double>(Clock::now() - started).count());
    metrics.batch_size.Observe(static_cast<double>(batch.events.size()));
    for (const auto& [k, n] : outcomes.counts)
      metrics.events.Add({{"topic", k.first}, {"outcome", k.second}})
          .Increment(static_cast<double>(n));
    report_progress(batch.events);
    return true;
  }

  // Kafka's own committed offsets are informational (lag tools); Postgres is the truth.
  void report_progress(const std::vector<Event>& events) {
    auto next = next_offsets(events);
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
    for (const auto& [tp, off] : next) {
      rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = off;
      std::int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(rk, tp.first.c_str(), tp.second, &low, &high) ==
              RD_KAFKA_RESP_ERR_NO_ERROR &&
          high >= off)
        metrics.lag.Add({{"topic", tp.first}, {"partition", std::to_string(tp.second)}})
            .Set(static_cast<double>(high - off));
    }
    rd_kafka_commit(rk, list, 1);
    rd_kafka_topic_partition_list_destroy(list);
  }

  // The applier thread: applies each batch handed over, retrying until it commits or the
  // projector stops (then the batch is re-read from the stored offsets next time).
  void apply_loop() {
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return job || quit; });
      if (!job) return;
      lock.unlock();
      for (int attempt = 0; !try_apply(*job); ++attempt) {
        metrics.retries.Increment();
        if (stopping()) break;
        backoff(attempt);
      }
      lock.lock();
      job.reset();
      cv.notify_all();
    }
  }

  // Waits until the batch handed over (if any) is applied or given up.
  void drain() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !job; });
  }

  // Decodes `pending` and hands it to the applier once the previous batch is done.
  void submit() {
    if (pending.empty()) return;
    auto batch = std::make_unique<Batch>();
    batch->events = std::move(pending);
    pending.clear();
    batch->plan = projections::plan_batch(batch->events);
    drain();
    {
      std::lock_guard lock(mu);
      job = std::move(batch);
    }
    cv.notify_all();
  }

  // librdkafka 2.0 stops fetching while its prefetch queue is over
  // queued.max.messages.kbytes and looks again only when its broker thread wakes, up to
  // a second later: a backlog was read in bursts with the queue empty in between. Once
  // the queue was seen nearly full and has drained to half, a ListOffsets request for the
  // assigned partitions wakes their brokers' threads, which then fetch again.
  void keep_prefetching() {
    auto queued = static_cast<std::size_t>(rd_kafka_queue_length(consumer_queue)) * record_bytes;
    if (queued >= prefetch_bytes * 3 / 4) prefetch_full = true;
    if (!prefetch_full || queued > prefetch_bytes / 2) return;
    prefetch_full = false;
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    for (int i = 0; i < parts->cnt; ++i) parts->elems[i].offset = RD_KAFKA_OFFSET_END;
    if (parts->cnt > 0) {
      rd_kafka_offsets_for_times(rk, parts, 1000);  // its answer is not needed
      metrics.fetch_wakeups.Increment();
    }
    rd_kafka_topic_partition_list_destroy(parts);
  }

  void add(const rd_kafka_message_t* m) {
    if (pending.empty()) first_pending = Clock::now();
    pending.push_back(Event::from_message(m));
    // A running mean of record sizes, to turn the queue's length into bytes.
    record_bytes = (record_bytes * 15 + m->len + m->key_len) / 16;
  }
};

Result<std::unique_ptr<Projector>> Projector::create(const ProjectorOptions& o,
                                                     kafka::Producer& deadletters) {
  auto impl = std::make_unique<Impl>(o, deadletters);
  auto made = kafka::make_conf("kafka consumer",
                               {{"bootstrap.servers", o.brokers},
                                {"group.id", o.group_id},
                                {"client.id", "shopstream-projector"},
                                {"enable.auto.commit", "false"},
                                {"enable.auto.offset.store", "false"},
                                {"auto.offset.reset", "earliest"},
                                {"isolation.level", "read_committed"},
                                {"log_level", "4"}},
                               o.kafka_properties);
  if (!made) return made.error();
  rd_kafka_conf_t* conf = made.value();
  char err[512];
  char kbytes[32];
  std::size_t size = sizeof kbytes;
  if (rd_kafka_conf_get(conf, "queued.max.messages.kbytes", kbytes, &size) == RD_KAFKA_CONF_OK)
    impl->prefetch_bytes = std::stoull(kbytes) * 1024;
  rd_kafka_conf_set_opaque(conf, impl.get());
  rd_kafka_conf_set_rebalance_cb(conf, &Impl::on_rebalance);
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return fail(std::string("kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(impl->rk);
  impl->consumer_queue = rd_kafka_queue_get_consumer(impl->rk);
  auto* topics = rd_kafka_topic_partition_list_new(4);
  for (auto s : {routing::Stream::kOrders, routing::Stream::kProducts, routing::Stream::kCustomers,
                 routing::Stream::kCompliance})
    rd_kafka_topic_partition_list_add(topics, routing::topic_name(o.topic_prefix, s).c_str(),
                                      RD_KAFKA_PARTITION_UA);
  auto sub = rd_kafka_subscribe(impl->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (sub != RD_KAFKA_RESP_ERR_NO_ERROR)
    return fail(std::string("kafka subscribe: ") + rd_kafka_err2str(sub));
  return std::unique_ptr<Projector>(new Projector(std::move(impl)));
}

Projector::Projector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Projector::~Projector() = default;

std::optional<Error> Projector::run(const std::atomic<bool>& stop) {
  auto& s = *impl_;
  s.stop = &stop;
  s.applier = std::thread([&s] { s.apply_loop(); });
  std::optional<Error> result;
  while (!stop) {
    auto wait = s.pending.empty() ? std::chrono::milliseconds(200) : s.opts.max_wait / 4;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(s.rk, static_cast<int>(wait.count()));
    if (m) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        s.add(m);
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        char errstr[512];
        if (rd_kafka_fatal_error(s.rk, errstr, sizeof errstr)) {
          result = fail(std::string("kafka consumer fatal error: ") + errstr);
          rd_kafka_message_destroy(m);
          break;
        }
        log::warn("kafka consumer error", {{"error", rd_kafka_message_errstr(m)}});
      }
      rd_kafka_message_destroy(m);
    }
    if (!s.pending.empty() && (s.pending.size() >= s.opts.max_batch ||
                               Clock::now() - s.first_pending >= s.opts.max_wait)) {
      s.submit();
    }
    s.keep_prefetching();
  }
  s.submit();
  s.drain();
  rd_kafka_consumer_close(s.rk);  // revokes: nothing is pending any more
  return result;
}

}  // namespace shopstream::consumers
