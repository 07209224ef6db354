// tessera's benchmark rows, named as in BENCH.md. Run with 2 threads unless told otherwise:
//   ./build/bench/bench_tessera --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include "machine_rows.hpp"
#include "tessera_rows.hpp"

int main(int argc, char** argv) {
  ts::set_num_threads(2);
  tessera_rows::register_rows("");
  machine_rows::register_rows();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
