// The faiss side of benchmarks/faiss/run.sh: builds IVF-SQ8 or IVF-PQ over the vectors CpuPeerMain exported
// (base.f32, train.f32) with the same nlist, training sample, k-means iterations and nprobe as our IndexBuilder, then
// measures the first stage on the real question vectors (queries.f32: start and end vector of each question)
// against the exact top-100 (gt.i64): recall@10, recall@100, 100-recall@k (the exact top-100 inside the k
// candidates), and speed for single questions (one call of 2 query vectors, as our searcher runs a question) and
// for batches of questions. One TSV row per (nprobe, mode) on stdout, in the columns of CpuPeerMain's rows.
//
//   faiss-peer DIR sq8|pq LABEL [nprobe,...] [batch] [max questions]
//
// Compiles against faiss 1.7.3 (Debian) and later releases: only index_factory, IndexIVF and its cp/pq fields.
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/index_factory.h>
#include <faiss/utils/utils.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "faiss-peer: %s\n", msg.c_str());
  std::exit(2);
}

std::vector<char> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) die("cannot open " + path);
  std::streamsize n = in.tellg();
  in.seekg(0);
  std::vector<char> buf(n);
  if (!in.read(buf.data(), n)) die("cannot read " + path);
  return buf;
}

/** meta.txt: key value lines (n, dim, nq, gtk, nlist, m, train, kmeans_iter, pq_iter, k). */
long meta(const std::string& dir, const std::string& key) {
  std::ifstream in(dir + "/meta.txt");
  if (!in) die("cannot open " + dir + "/meta.txt (run CpuPeerMain export first)");
  std::string k;
  long v;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  die("meta.txt has no " + key);
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  double pos = p * (v.size() - 1);
  size_t lo = (size_t)pos;
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) die("usage: faiss-peer DIR sq8|pq LABEL [nprobe,...] [batch] [max questions]");
  std::string dir = argv[1];
  std::string codec = argv[2];
  std::string label = argv[3];
  std::vector<int> nprobes = {8, 16, 32, 64, 128};
  if (argc > 4) {
    nprobes.clear();
    std::stringstream ss(argv[4]);
    for (std::string t; std::getline(ss, t, ',');) nprobes.push_back(std::stoi(t));
  }
  int batch = argc > 5 ? std::stoi(argv[5]) : 64;
  long maxQuestions = argc > 6 ? std::stol(argv[6]) : 1L << 40;
  const long n = meta(dir, "n"), dim = meta(dir, "dim"), nq = meta(dir, "nq"), gtk = meta(dir, "gtk");
  const long nlist = meta(dir, "nlist"), m = meta(dir, "m"), ntrain = meta(dir, "train");
  const long kmIter = meta(dir, "kmeans_iter"), pqIter = meta(dir, "pq_iter"), k = meta(dir, "k");
  if (codec != "sq8" && codec != "pq") die("codec must be sq8 or pq, got " + codec);

  std::string key = codec == "sq8" ? "IVF" + std::to_string(nlist) + ",SQ8"
                                   : "IVF" + std::to_string(nlist) + ",PQ" + std::to_string(m);
  std::unique_ptr<faiss::Index> index(faiss::index_factory(dim, key.c_str(), faiss::METRIC_INNER_PRODUCT));
  auto* ivf = dynamic_cast<faiss::IndexIVF*>(index.get());
  if (ivf == nullptr) die("index_factory did not give an IVF index");
  ivf->cp.niter = (int)kmIter;  // ours: 10 Lloyd iterations, seeded random init
  if (auto* ivfpq = dynamic_cast<faiss::IndexIVFPQ*>(index.get())) ivfpq->pq.cp.niter = (int)pqIter;

  std::vector<char> train = readFile(dir + "/train.f32");
  if ((long)train.size() != ntrain * dim * 4) die("train.f32 size does not match meta.txt");
  double t0 = now();
  index->train(ntrain, reinterpret_cast<const float*>(train.data()));
  double trainSec = now() - t0;
  train.clear();
  train.shrink_to_fit();

  // base.f32 in chunks (n x dim floats do not need to be resident at once)
  t0 = now();
  {
    std::ifstream in(dir + "/base.f32", std::ios::binary);
    if (!in) die("cannot open base.f32");
    const long chunk = 65536;
    std::vector<float> buf(chunk * dim);
    for (long done = 0; done < n; done += chunk) {
      long c = std::min(chunk, n - done);
      if (!in.read(reinterpret_cast<char*>(buf.data()), c * dim * 4)) die("base.f32 is shorter than meta.txt says");
      index->add(c, buf.data());  // ids 0..n-1 in file order = the dump's global token ids
    }
  }
  double addSec = now() - t0;
  std::fprintf(stderr, "faiss-peer: %s %s: trained in %.1fs, added %ld vectors in %.1fs, %d threads, %s\n",
               label.c_str(), key.c_str(), trainSec, n, addSec, omp_get_max_threads(),
               faiss::get_compile_options().c_str());

  std::vector<char> qbuf = readFile(dir + "/queries.f32");
  std::vector<char> gbuf = readFile(dir + "/gt.i64");
  if ((long)qbuf.size() != nq * dim * 4 || (long)gbuf.size() != nq * gtk * 8) die("queries/gt sizes do not match");
  const float* q = reinterpret_cast<const float*>(qbuf.data());
  const int64_t* gt = reinterpret_cast<const int64_t*>(gbuf.data());
  // query 2i = start vector of question i, 2i + 1 = its end vector; a slow build measures the first questions only
  const long questions = std::min(nq / 2, maxQuestions);
  const long nqm = 2 * questions;
  std::vector<float> dist(nq * k);
  std::vector<int64_t> ids(nq * k);

  for (int np : nprobes) {
    ivf->nprobe = std::min<long>(np, nlist);
    // warm-up: a few questions
    for (long i = 0; i < std::min<long>(questions, 20); i++) index->search(2, q + 2 * i * dim, k, dist.data(), ids.data());
    // single questions: one call of 2 query vectors each, as a question is searched
    std::vector<double> lat(questions);
    double s0 = now();
    for (long i = 0; i < questions; i++) {
      double a = now();
      index->search(2, q + 2 * i * dim, k, dist.data() + 2 * i * k, ids.data() + 2 * i * k);
      lat[i] = (now() - a) * 1e3;
    }
    double singleSec = now() - s0;
    // recall of the single-question results against the exact top-gtk
    double r10 = 0, r100 = 0, r100k = 0;
    for (long j = 0; j < nqm; j++) {
      const int64_t* g = gt + j * gtk;
      const int64_t* a = ids.data() + j * k;
      std::unordered_set<int64_t> top10(g, g + 10), top100(g, g + std::min<long>(100, gtk));
      for (int r = 0; r < 10 && r < k; r++) r10 += top10.count(a[r]);
      for (int r = 0; r < 100 && r < k; r++) r100 += top100.count(a[r]);
      for (int r = 0; r < k; r++) r100k += top100.count(a[r]);
    }
    r10 /= nqm * 10.0;
    r100 /= nqm * 100.0;
    r100k /= nqm * 100.0;
    std::printf("%s\t%s\tfirst-stage\tsingle\t%d\t%ld\t%.4f\t%.4f\t%.4f\t%.2f\t%.2f\t%.2f\n", label.c_str(),
                codec.c_str(), np, k, r10, r100, r100k, questions / singleSec, percentile(lat, 0.5),
                percentile(lat, 0.99));
    // batches of `batch` questions (2 x batch query vectors per call)
    std::vector<double> blat;
    s0 = now();
    for (long i = 0; i < questions; i += batch) {
      long b = std::min<long>(batch, questions - i);
      double a = now();
      index->search(2 * b, q + 2 * i * dim, k, dist.data() + 2 * i * k, ids.data() + 2 * i * k);
      blat.push_back((now() - a) * 1e3);
    }
    double batchSec = now() - s0;
    std::printf("%s\t%s\tfirst-stage\tbatch%d\t%d\t%ld\t%.4f\t%.4f\t%.4f\t%.2f\t%.2f\t%.2f\n", label.c_str(),
                codec.c_str(), batch, np, k, r10, r100, r100k, questions / batchSec, percentile(blat, 0.5),
                percentile(blat, 0.99));
    std::fflush(stdout);
  }
  return 0;
}
