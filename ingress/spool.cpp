#include "ingress/spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/log.hpp"
#include "ingress/metrics.hpp"
#include "ingress/spool_format.hpp"

namespace shopstream::ingress {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "segment-";
constexpr std::string_view kSuffix = ".spool";

std::optional<std::uint64_t> segment_seq(const std::string& name) {
  if (name.size() != kPrefix.size() + 20 + kSuffix.size() || name.rfind(kPrefix, 0) != 0 ||
      name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return std::nullopt;
  std::uint64_t seq = 0;
  for (char c : name.substr(kPrefix.size(), 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return seq;
}

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

Result<std::unique_ptr<Spool>> Spool::open(const Options& options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return fail("cannot create the spool directory " + options.dir + ": " + ec.message());
  if (::access(options.dir.c_str(), W_OK | X_OK) != 0)
    return fail(errno_text("the spool directory " + options.dir + " is not writable"));
  std::unique_ptr<Spool> spool(new Spool(options));
  // One process per directory: two would publish the same files twice and race on names.
  const auto lock_path = (fs::path(options.dir) / "lock").string();
  spool->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (spool->lock_fd_ < 0) return fail(errno_text("cannot open " + lock_path));
  if (::flock(spool->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return fail("the spool directory " + options.dir + " is in use by another process");
  std::vector<std::pair<std::uint64_t, std::string>> found;
  std::uint64_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(options.dir, ec)) {
    auto seq = segment_seq(entry.path().filename().string());
    if (!seq || !entry.is_regular_file()) continue;
    found.emplace_back(*seq, entry.path().string());
    bytes += entry.file_size();
  }
  if (ec) return fail("cannot list the spool directory " + options.dir + ": " + ec.message());
  std::sort(found.begin(), found.end());
  for (auto& [seq, path] : found) {
    spool->closed_.push_back(path);
    spool->next_seq_ = seq + 1;
  }
  spool->add_bytes(static_cast<std::int64_t>(bytes));
  if (!found.empty())
    log::warn("spool holds records of an earlier run; they are published once Kafka is reachable",
              {{"dir", options.dir}, {"files", found.size()}, {"bytes", bytes}});
  spool->writer_ = std::thread([s = spool.get()] { s->write_loop(); });
  return spool;
}

Spool::Spool(Options options) : options_(std::move(options)) {}

Spool::~Spool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  if (writer_.joinable()) writer_.join();
  stop_draining();
  std::lock_guard lock(file_mu_);
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // and with it the lock
}

void Spool::append(kafka::Record record, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(record), std::move(done)});
      queued_.notify_one();
      return;
    }
  }
  done(Error{"the spool is shutting down"});
}

void Spool::write_loop() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      batch.swap(queue_);
    }
    write_batch(batch);
    batch.clear();
  }
}

// One write and one fdatasync for everything queued meanwhile (group commit).
void Spool::write_batch(std::vector<Item>& batch) {
  std::string bytes;
  std::vector<std::optional<Error>> outcome(batch.size());
  std::uint64_t room = options_.max_bytes > bytes_ ? options_.max_bytes - bytes_ : 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto before = bytes.size();
    spool_format::append_entry(batch[i].record, bytes);
    if (bytes.size() > room) {
      bytes.resize(before);
      outcome[i] = Error{"the spool is full (--spool-max)"};
    }
  }
  std::optional<Error> failed;
  if (!bytes.empty()) {
    std::lock_guard lock(file_mu_);
    failed = write_durably(bytes);
  }
  if (failed) log::error("spool write failed", {{"error", failed->message}});
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(outcome[i] ? outcome[i] : failed);
}

std::optional<Error> Spool::write_durably(const std::string& bytes) {
  if (fd_ < 0) {
    char name[64];
    std::snprintf(name, sizeof name, "segment-%020llu.spool",
                  static_cast<unsigned long long>(next_seq_++));
    current_ = (fs::path(options_.dir) / name).string();
    fd_ = ::open(current_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return Error{errno_text("cannot create " + current_)};
    current_size_ = 0;
    // The new file's name must survive a crash too.
    int dir = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
  std::size_t written = 0;
  while (written < bytes.size()) {
    auto n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  if (written < bytes.size() || ::fdatasync(fd_) != 0) {
    auto err = Error{errno_text("cannot write " + current_)};
    // A torn tail would hide every later entry from the reader: cut it off, and start
    // a new file for the next write.
    if (::ftruncate(fd_, static_cast<off_t>(current_size_)) != 0)
      log::error("cannot cut a torn spool write", {{"file", current_}});
    close_segment();
    return err;
  }
  current_size_ += bytes.size();
  add_bytes(static_cast<std::int64_t>(bytes.size()));
  if (current_size_ >= options_.segment_bytes) close_segment();
  return std::nullopt;
}

void Spool::close_segment() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (current_size_ > 0)
    closed_.push_back(current_);
  else
    ::unlink(current_.c_str());
}

void Spool::drain_to(kafka::Producer& producer) {
  drainer_ = std::thread([this, &producer] { drain_loop(producer); });
}

void Spool::stop_draining() {
  {
    std::lock_guard lock(drain_mu_);
    drain_stop_ = true;
  }
  drain_cv_.notify_all();
  if (drainer_.joinable()) drainer_.join();
}

bool Spool::wait_draining(std::chrono::milliseconds timeout) {
  std::unique_lock lock(drain_mu_);
  return !drain_cv_.wait_for(lock, timeout, [&] { return drain_stop_; });
}

void Spool::drain_loop(kafka::Producer& producer) {
  // Kafka's reachability comes from the producer's probe, once a second.
  bool more = false;  // a file was just published: go on with the next at once
  while (wait_draining(more ? std::chrono::milliseconds(0) : std::chrono::milliseconds(1000))) {
    more = false;
    if (bytes_ == 0 || !producer.reachable()) continue;
    std::string path;
    {
      std::lock_guard lock(file_mu_);
      if (closed_.empty()) close_segment();  // publish what is being written too
      if (closed_.empty()) continue;
      path = closed_.front();
    }
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (ec) {  // again on the next round
      log::error("cannot read a spool file", {{"file", path}, {"error", ec.message()}});
      continue;
    }
    if (!publish(path, producer)) continue;  // again on the next round
    {
      std::lock_guard lock(file_mu_);
      closed_.pop_front();
    }
    if (::unlink(path.c_str()) != 0)
      log::error("cannot delete a published spool file", {{"file", path}});
    add_bytes(-static_cast<std::int64_t>(size));
    log::info("spool file published", {{"file", path}, {"bytes", size}});
    more = true;
  }
}

bool Spool::publish(const std::string& path, kafka::Producer& producer) {
  std::string data;
  {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (in) {
      data.resize(static_cast<std::size_t>(in.tellg()));
      in.seekg(0);
      in.read(data.data(), static_cast<std::streamsize>(data.size()));
    }
    if (!in) {
      log::error("cannot read a spool file", {{"file", path}});
      return false;
    }
  }
  auto decoded = spool_format::decode(data);
  auto& m = IngressMetrics::get();
  if (decoded.valid_bytes < data.size()) {
    m.spool_damaged.Increment();
    log::error("spool file torn or damaged: the records after the damage are lost",
               {{"file", path},
                {"records_read", decoded.records.size()},
                {"bytes_skipped", data.size() - decoded.valid_bytes}});
  }
  // From here the file's bytes live in the records only, and each record only until the
  // producer holds its copy: about one file's size in memory, not three.
  std::string().swap(data);
  struct Progress {
    std::mutex mu;
    std::condition_variable cv;
    std::size_t reported = 0, failed = 0;
  };
  auto progress = std::make_shared<Progress>();
  std::size_t sent = 0;
  for (auto& record : decoded.records) {
    bool stopped = false;
    auto err = producer.produce_waiting(
        record,
        [progress](const kafka::Delivery& d) {
          std::lock_guard lock(progress->mu);
          ++progress->reported;
          if (!d.ok()) ++progress->failed;
          progress->cv.notify_all();
        },
        [&] {  // queue full
          stopped = !wait_draining(std::chrono::milliseconds(10));
          return !stopped;
        });
    if (stopped) return false;
    if (err) {
      log::error("spool publishing failed", {{"file", path}, {"error", err->message}});
      return false;
    }
    record = kafka::Record{};
    ++sent;
  }
  for (;;) {
    {
      std::unique_lock lock(progress->mu);
      if (progress->cv.wait_for(lock, std::chrono::milliseconds(200),
                                [&] { return progress->reported == sent; })) {
        if (progress->failed > 0)
          log::warn("spool publishing failed for some records; the file is published again",
                    {{"file", path}, {"failed", progress->failed}});
        else
          m.spool_published.Increment(static_cast<double>(sent));
        return progress->failed == 0;
      }
    }
    if (!wait_draining(std::chrono::milliseconds(0))) return false;
  }
}

void Spool::add_bytes(std::int64_t delta) {
  auto now =
      bytes_.fetch_add(static_cast<std::uint64_t>(delta)) + static_cast<std::uint64_t>(delta);
  IngressMetrics::get().spool_bytes.Set(static_cast<double>(now));
}

}  // namespace shopstream::ingress
