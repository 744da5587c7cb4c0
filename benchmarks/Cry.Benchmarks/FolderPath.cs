using System.Diagnostics;
using Cry.Audio;
using Cry.Features;
using Cry.Features.Npy;
using Cry.Features.Specs;
using Cry.Audio.Decoding;

namespace Cry.Benchmarks;

/// <summary>
/// Where the time of `cry features` on a folder goes, stage by stage, on one thread: for every recording of a folder
/// (a warm-up pass, then the measured ones) the file decode, the window, the image and the .npy write to OUT, each
/// summed over the recordings. The stages are those of the command's folder path.
/// </summary>
internal static class FolderPath
{
    public static int Run(string folder, string outFolder, int passes)
    {
        var files = Directory.EnumerateFiles(folder, "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        Directory.CreateDirectory(outFolder);
        var times = new double[4];
        for (int pass = 0; pass <= passes; pass++)
        {
            Array.Clear(times);
            int gcBefore = GC.CollectionCount(2);
            foreach (string file in files)
            {
                long t0 = Stopwatch.GetTimestamp();
                var signal = AudioDecoder.Default.DecodeFile(file);
                long t1 = Stopwatch.GetTimestamp();
                var window = extractor.PrepareAudio(signal);
                long t2 = Stopwatch.GetTimestamp();
                var image = extractor.Compute(window, FeatureStage.Image, out int[] shape);
                long t3 = Stopwatch.GetTimestamp();
                NpyFile.Write(Path.Combine(outFolder, Path.GetFileNameWithoutExtension(file) + ".npy"), image, shape);
                long t4 = Stopwatch.GetTimestamp();
                times[0] += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                times[1] += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                times[2] += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
                times[3] += Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds;
            }

            if (pass > 0)
            {
                Console.WriteLine(string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"pass {pass}, {files.Count} recordings, ms per recording: decode file {times[0] / files.Count:0.000}, window {times[1] / files.Count:0.000}, image {times[2] / files.Count:0.000}, write .npy {times[3] / files.Count:0.000}, total {times.Sum() / files.Count:0.000}; gen-2 collections {GC.CollectionCount(2) - gcBefore}"));
            }
        }

        return 0;
    }
}
