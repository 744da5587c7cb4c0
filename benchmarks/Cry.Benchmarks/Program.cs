using BenchmarkDotNet.Running;
using Cry.Benchmarks;

// Modes besides BenchmarkDotNet's own arguments:
//   latency [CALLS] [MEMBERS]   per-call percentiles of in-process prediction (default 10,000 calls; MEMBERS > 0:
//                               a format-2 bundle with the cry detector and that many fold models)
//   bundle DIR        writes the CryNet-S speed-test bundle that benchmarks/load.sh serves
if (args.Length > 0 && args[0] == "latency")
{
    return Latency.Run(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0);
}

if (args.Length > 1 && args[0] == "bundle")
{
    BenchmarkBundle.Write(args[1]);
    Console.WriteLine($"bundle written to {args[1]}");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
