#include "tuning.h"

namespace dp {
Tuning& tuning() {
  static Tuning t;
  return t;
}
}  // namespace dp
