using BenchmarkDotNet.Running;
using Cry.Benchmarks;

// Modes besides BenchmarkDotNet's own arguments:
//   latency [CALLS] [MEMBERS] [MODEL]
//                     per-call percentiles of in-process prediction (default 10,000 calls; MEMBERS > 0: a format-2
//                     bundle with the cry detector and that many fold models of network MODEL, crynet-s by default)
//   folder-path DIR OUT [PASSES]
//                     where `cry features` on a folder spends its time per recording: decode, window, image, write
//   bundle DIR [MEMBERS] [MODEL]
//                     writes the speed-test bundle that benchmarks/load.sh serves: one CryNet-S, or with MEMBERS > 0
//                     the format-2 ensemble of `latency`
//   soak URL SECONDS WORKERS ROUNDS
//                     the client of benchmarks/soak.sh: ROUNDS of 8 concurrent maximum-size clips, then SECONDS of
//                     valid, malformed, stalled and maximum-size requests from WORKERS at once
if (args.Length > 0 && args[0] == "latency")
{
    return Latency.Run(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0,
        args.Length > 3 ? args[3] : Cry.Training.Torch.Models.CryNetS.Name);
}

if (args.Length > 2 && args[0] == "folder-path")
{
    return FolderPath.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 3);
}

if (args.Length > 1 && args[0] == "bundle")
{
    int members = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
    if (members > 0)
    {
        BenchmarkBundle.WriteEnsemble(args[1], members, args.Length > 3 ? args[3] : Cry.Training.Torch.Models.CryNetS.Name);
    }
    else
    {
        BenchmarkBundle.Write(args[1]);
    }

    Console.WriteLine($"bundle written to {args[1]}");
    return 0;
}

if (args.Length > 4 && args[0] == "soak")
{
    var invariant = System.Globalization.CultureInfo.InvariantCulture;
    return await Soak.RunAsync(new Uri(args[1]), TimeSpan.FromSeconds(int.Parse(args[2], invariant)), int.Parse(args[3], invariant), int.Parse(args[4], invariant));
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
