using BenchmarkDotNet.Running;

// BenchmarkDotNet micro-benchmarks of the kernels. The side-by-side figures of docs/benchmarks.md
// (STREAM, MathNet) come from `solvers bench spmv|cg`, see bench/README.md.
BenchmarkSwitcher.FromAssembly(typeof(Solvers.Bench.KernelBenchmarks).Assembly).Run(args);
