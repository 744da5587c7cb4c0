using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Cry.Features.Models;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Torch.Onnx;

namespace Cry.Training.Torch.Experiments;

/// <summary>What every bundle writer shares: file names, atomic writes, the training data's hash, package versions (bundles are trained by <see cref="EnsembleBundle"/>).</summary>
public static class ModelBundle
{
    /// <summary>The ONNX file name inside a bundle.</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>The metrics file name inside a bundle.</summary>
    public const string MetricsFileName = "metrics.json";

    internal static void WriteAtomically(string path, string text)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>SHA-256 over the sorted "clipId, label, group" lines of the training clips and the spec id.</summary>
    internal static string DataHash(IEnumerable<ClipInfo> clips, string specId)
    {
        var text = new StringBuilder(specId).Append('\n');
        foreach (var clip in clips.OrderBy(c => c.ClipId, StringComparer.Ordinal))
        {
            text.Append(clip.ClipId).Append('\t').Append(clip.Label).Append('\t').Append(clip.Group).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    internal static Dictionary<string, string> PackageVersions()
    {
        static string VersionOf(Assembly assembly) =>
            assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version?.ToString() ?? "unknown";

        return new Dictionary<string, string>
        {
            ["TorchSharp"] = VersionOf(typeof(TorchSharp.torch).Assembly),
            ["OnnxSharp"] = VersionOf(typeof(global::Onnx.ModelProto).Assembly),
            ["CryFunctions"] = VersionOf(typeof(ModelBundle).Assembly),
            [".NET"] = Environment.Version.ToString(),
        };
    }
}
