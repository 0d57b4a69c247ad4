#include "consumers/replay/actions.hpp"

#include <thread>

#include "common/kafka/message.hpp"
#include "common/log.hpp"
#include "consumers/apply.hpp"

namespace shopstream::consumers::replay {

std::optional<Error> Projecting::add(const rd_kafka_message_t* m) {
  events_.push_back(projections::Event::from_message(m));
  return events_.size() >= o_.batch ? flush() : std::nullopt;
}

std::optional<Error> Projecting::flush() {
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

// Events the read models cannot hold: the projector deadlettered them when it read them;
// replay logs and counts them, and writes them nowhere.
void Projecting::set_aside(const std::vector<projections::Deadletter>& dead) {
  for (const auto& d : dead)
    log::warn("event cannot be applied", {{"topic", d.event->kafka_topic},
                                          {"partition", d.event->partition},
                                          {"offset", d.event->offset},
                                          {"reason", d.reason}});
}

std::optional<Error> Targets::check(const std::string& topic) {
  if (topic.empty() || checked_.count(topic)) return std::nullopt;
  auto partitions = reader_.partition_count(topic, std::chrono::seconds(5));
  if (!partitions) return fail("cannot republish to " + topic + ": " + partitions.error().message);
  checked_.insert(topic);
  return std::nullopt;
}

std::optional<Error> Republishing::add(const rd_kafka_message_t* m) {
  auto r = kafka::record_of(m);
  auto target = republish_target(o_.republish_to, r.headers);
  if (target.empty()) {
    ++s_.no_origin;
    log::warn("record has no origin topic; not republished",
              {{"topic", r.topic}, {"partition", m->partition}, {"offset", m->offset}});
    return std::nullopt;
  }
  if (auto err = targets_.check(target)) return err;
  ++s_.by_target[target];
  r.topic = target;
  r.headers = republished_headers(r.headers);
  const std::uint64_t bytes = r.value.size() + r.key.size();
  while (unacked() > kMaxUnacked) producer_.flush(std::chrono::milliseconds(100));
  {
    std::lock_guard lock(mu_);
    unacked_ += bytes;
  }
  auto err = producer_.produce_waiting(
      r,
      [this, bytes](const kafka::Delivery& d) {
        std::lock_guard lock(mu_);
        ++done_;
        unacked_ -= bytes;
        if (d.ok()) {
          ++ok_;
        } else {
          ++failed_;
          log::warn("record not republished", {{"error", d.error()}});
        }
      },
      [this] {  // queue full: wait for acks
        producer_.flush(std::chrono::milliseconds(100));
        return true;
      });
  if (err) {
    std::lock_guard lock(mu_);
    unacked_ -= bytes;
    return err;
  }
  std::lock_guard lock(mu_);
  ++produced_;
  return std::nullopt;
}

void Republishing::finish() {
  while (producer_.flush(std::chrono::seconds(1)) > 0) {
  }
  std::lock_guard lock(mu_);
  s_.republished = ok_;
  s_.failed = failed_ + (produced_ - done_);
}

std::uint64_t Republishing::unacked() {
  std::lock_guard lock(mu_);
  return unacked_;
}

}  // namespace shopstream::consumers::replay
