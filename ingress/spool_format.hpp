#pragma once
// The local spool's file format: records appended one after another, each framed so that
// a torn write (a crash mid-append) or a damaged byte is found on reading and the records
// before it are kept. Pure functions; the files themselves are ingress/spool.
//
//   entry := "SSP1" | u32 length of body | u32 CRC-32C of body | body      (little-endian)
//   body  := str topic | str key | str value | u32 header count | (str name | str value)*
//   str   := u32 length | bytes
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/producer.hpp"

namespace shopstream::ingress::spool_format {

// CRC-32C (Castagnoli), as Kafka's record batches use.
std::uint32_t crc32c(std::string_view data);

// Appends one entry for `record` to `out`.
void append_entry(const kafka::Record& record, std::string& out);

struct Decoded {
  std::vector<kafka::Record> records;
  std::size_t valid_bytes = 0;  // the whole entries read; less than the input if damaged
};

// Reads entries from the start of `data` until its end or the first incomplete or damaged
// entry.
Decoded decode(std::string_view data);

}  // namespace shopstream::ingress::spool_format
