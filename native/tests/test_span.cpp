// dp_span_score against a float64 CPU reference (the cases: span_cases.h), through the exported entry point: every
// type, 16-byte and element loads (v5 and v4), both directions, empty documents, padding, L from 1 to 128, k
// beyond the candidates, exact partner ties (repeated token vectors). The lab's variants: native/bench/test_lab.cpp.
#include "span_cases.h"

using namespace dpt;

int main() {
  std::printf("test_span (seed %llu)\n", (unsigned long long)seed());
  if (!have_device()) return kSkip;
  span_case(DP_FP32, 3000, 37, 3, 200, 10, 0, 10, 1);
  span_case(DP_FP32, 3000, 64, 3, 200, 10, 1, 10, 1);
  span_case(DP_FP16, 5000, 64, 4, 300, 20, 0, 25, 1);
  span_case(DP_FP16, 5000, 33, 4, 300, 20, 1, 25, 1);
  span_case(DP_INT8, 5000, 128, 5, 500, 30, 0, 50, 1);
  span_case(DP_INT8, 5000, 35, 5, 500, 30, 1, 50, 1);
  span_case(DP_FP16, 4000, 96, 2, 100, 1, 0, 10, 1);     // one-token phrases only
  span_case(DP_INT8, 4000, 64, 2, 100, 128, 1, 10, 1);   // longest L
  span_case(DP_FP16, 3000, 64, 3, 150, 16, 0, 400, 1);   // k > candidates
  span_case(DP_FP32, 3000, 48, 3, 150, 16, 0, 12, 3);    // exact partner ties: nearest wins
  span_case(DP_FP16, 3000, 64, 3, 150, 16, 1, 12, 4);
  span_case(DP_INT8, 20000, 64, 1, 8192, 8, 0, 2048, 1); // the limits: 8192 candidates, k = 2048
  span_case(DP_FP16, 100, 16, 40, 1, 5, 0, 3, 1);        // one candidate, many questions
  span_case(DP_FP32, 2000, 768, 2, 100, 12, 0, 10, 1);   // rows longer than one round of register loads
  span_case(DP_INT8, 2000, 2048, 2, 60, 9, 1, 10, 1);
  span_case(DP_FP16, 64, 64, 3, 64, 20, 0, 8, 1);        // every token a candidate: windows at both array ends
  span_case(DP_FP16, 64, 64, 3, 64, 20, 1, 8, 1);
  return finish("test_span");
}
