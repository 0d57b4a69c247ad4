#pragma once
// An ingress running in-process on 127.0.0.1:0 against the test run's Kafka, with its
// own topic prefix.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "common/config.hpp"
#include "common/kafka/producer.hpp"
#include "ingress/service.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/process.hpp"

namespace shopstream::test {

inline const std::string kSecret = "test-current-secret";
inline const std::string kOldSecret = "test-previous-secret";

class IngressFixture {
 public:
  // `adjust` may change settings (timeouts, limits) before start.
  explicit IngressFixture(const std::function<void(Settings&)>& adjust = nullptr,
                          ingress::SecretStore secrets = ingress::SecretStore({kSecret, kOldSecret},
                                                                              {}));
  ~IngressFixture();
  std::uint16_t port() const { return service_->port(); }
  std::uint64_t buffered_bytes() const { return service_->buffered_bytes(); }
  const std::string& prefix() const { return settings_.topic_prefix; }
  const Settings& settings() const { return settings_; }
  std::vector<ConsumedRecord> read(const std::string& stream) const;
  bool stop();  // graceful stop; the fixture may then be destroyed

 private:
  Settings settings_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<ingress::IngressService> service_;
  bool stopped_ = false;
};

// `shopstream ingress` as a child process (for signals) on the test run's Kafka, under
// `prefix`, on 127.0.0.1:0, signing with kSecret; its log and ready file go in `dir`.
// Throws, with the log, if it is not serving within 60 s.
class IngressProcess {
 public:
  // `launcher` runs before the binary (e.g. {"/usr/bin/prlimit", "--nofile=64", "--"}).
  IngressProcess(const std::string& prefix, const std::filesystem::path& dir,
                 const std::map<std::string, std::string>& extra_env = {},
                 const std::vector<std::string>& launcher = {});
  ChildProcess& process() { return *process_; }
  std::uint16_t port() const { return port_; }
  std::uint16_t metrics_port() const { return metrics_port_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
};

}  // namespace shopstream::test
