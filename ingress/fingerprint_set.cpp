#include "ingress/fingerprint_set.hpp"

#include <bit>
#include <new>

namespace shopstream::ingress {

FingerprintSet::FingerprintSet(std::size_t capacity)
    : capacity_(capacity), mask_(std::bit_ceil(2 * capacity + 2) - 1) {
  // calloc: zeroed pages straight from the kernel, resident only once written.
  slots_.reset(static_cast<Fingerprint*>(std::calloc(mask_ + 1, sizeof(Fingerprint))));
  if (!slots_) throw std::bad_alloc();
}

Fingerprint FingerprintSet::stored(Fingerprint f) {
  if (empty(f)) f.b = 1;  // 1 in 2^128; {0, 1} then stands for it
  return f;
}

std::size_t FingerprintSet::find(Fingerprint f) const {
  std::size_t i = f.a & mask_;
  while (!empty(slots_[i]) && !(slots_[i] == f)) i = (i + 1) & mask_;
  return i;
}

bool FingerprintSet::contains(Fingerprint f) const {
  f = stored(f);
  return slots_[find(f)] == f;
}

bool FingerprintSet::insert(Fingerprint f) {
  f = stored(f);
  std::size_t i = find(f);
  if (slots_[i] == f || size_ >= capacity_) return false;
  slots_[i] = f;
  ++size_;
  return true;
}

bool FingerprintSet::erase(Fingerprint f) {
  f = stored(f);
  std::size_t hole = find(f);
  if (!(slots_[hole] == f)) return false;
  // Backward shift: pull later entries of the run into the hole unless their home slot
  // lies cyclically after the hole (moving them would put them before their home).
  for (std::size_t j = (hole + 1) & mask_; !empty(slots_[j]); j = (j + 1) & mask_) {
    std::size_t home = slots_[j].a & mask_;
    bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Fingerprint{0, 0};
  --size_;
  return true;
}

}  // namespace shopstream::ingress
