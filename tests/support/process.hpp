#pragma once
// Child processes for tests that need the real binary (signals, exit codes).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shopstream::test {

class ChildProcess {
 public:
  // Starts `argv` with the current environment plus `env`; stderr goes to `log_path`.
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& log_path);
  ~ChildProcess();  // kills it if still running
  void signal(int sig);
  // The exit status (WEXITSTATUS, or 128+signal), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

std::string read_file(const std::string& path);
// The value of "key" in a flat JSON object of strings (ready files).
std::string json_field(const std::string& json, const std::string& key);
// The port of a URL such as http://127.0.0.1:8080/path (0 if it has none).
std::uint16_t url_port(const std::string& url);

}  // namespace shopstream::test
