using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Cry.Features.Models;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Torch.Onnx;

namespace Cry.Training.Torch.Experiments;

/// <summary>The result of training a final model: the network, its manifest and its validation report.</summary>
/// <param name="Model">The trained network (dispose it).</param>
/// <param name="Manifest">The bundle manifest.</param>
/// <param name="Validation">Calibrated metrics on the held-out validation groups.</param>
public sealed record FinalModel(TrainedModel Model, ModelManifest Manifest, MetricsReport Validation) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();
}

/// <summary>Trains the final model on a dataset and writes model bundles (model.onnx, manifest.json, metrics.json).</summary>
public static class ModelBundle
{
    /// <summary>The ONNX file name inside a bundle.</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>The metrics file name inside a bundle.</summary>
    public const string MetricsFileName = "metrics.json";

    /// <summary>
    /// Trains on every clip (with its augmented variants) except a grouped, stratified validation share, which serves
    /// early stopping, temperature scaling and the reported validation metrics.
    /// </summary>
    /// <param name="data">The featurized clips and their augmented variants.</param>
    /// <param name="options">Validation share and training options.</param>
    /// <param name="commandLine">Recorded in the manifest.</param>
    /// <param name="log">Receives a line on the split.</param>
    /// <param name="progress">Receives every epoch, synchronously on the training thread.</param>
    /// <param name="stage">The stage index and count to report this run as (default: the only run).</param>
    public static FinalModel Train(
        FeaturizedDataset data,
        ExperimentOptions options,
        string commandLine,
        Action<string>? log = null,
        IProgress<TrainingProgress>? progress = null,
        (int Index, int Count)? stage = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var dataset = data.Dataset;
        int classes = dataset.Labels.Count;
        var split = new GroupedValidationSplit(new GroupedValidationSplitOptions { Share = options.ValidationShare, Seed = options.Seed })
            .Split(dataset.LabelIndices, [.. dataset.Groups], classes);
        var samples = SampleTable.Create(data, EvaluationProtocol.Grouped);
        var train = samples.Build(split.TrainIndices, includeVariants: true);
        var validation = samples.Build(split.HeldOutIndices, includeVariants: false);
        log?.Invoke($"final model: {train.Count} training samples ({split.TrainIndices.Length} clips), {validation.Count} validation clips");

        var (index, count) = stage ?? (0, 1);
        var epochs = TrainingProgress.For(progress, "final model", index, count, options.Training.Epochs);
        var model = Trainer.Fit(
            train, validation, options.Training, (actual, predicted) => ClassificationMetrics.Compute(actual, predicted, classes).MacroF1, epochs);
        double temperature = CrossValidation.FitTemperature(model, validation, classes);
        var probabilities = CrossValidation.Softmax(model.Predict(validation.Inputs, validation.Count), temperature);
        var report = MetricsReport.Evaluate([.. dataset.Labels], validation.Labels, probabilities) with { Temperature = temperature, Title = "Validation groups" };

        var trainingClips = split.TrainIndices.Select(i => dataset.Clips[i]).ToList();
        var manifest = new ModelManifest
        {
            ModelId = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{data.Spec.Id[..6]}",
            CreatedUtc = DateTimeOffset.UtcNow,
            Architecture = model.ModelName,
            Labels = [.. dataset.Labels],
            FeatureSpec = data.Spec,
            InputShape = [.. data.Shape],
            Normalisation = new InputNormalisation([.. model.Normalization.Mean], [.. model.Normalization.Std]),
            Temperature = temperature,
            UncertaintyThreshold = UncertaintyThreshold.Choose(validation.Labels, probabilities, classes),
            TrainingData = new TrainingDataInfo(
                DataHash(trainingClips, data.Spec.Id),
                trainingClips.Count,
                trainingClips.Select(c => c.Group).Distinct(StringComparer.Ordinal).Count(),
                trainingClips.GroupBy(c => c.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
                split.HeldOutIndices.Select(i => dataset.Groups[i]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()),
            Metrics = new Dictionary<string, double>
            {
                ["macroF1"] = report.MacroF1,
                ["balancedAccuracy"] = report.BalancedAccuracy,
                ["accuracy"] = report.Accuracy,
                ["ece"] = report.Ece ?? double.NaN,
            }.Where(kv => double.IsFinite(kv.Value)).ToDictionary(),
            Packages = PackageVersions(),
            CommandLine = commandLine,
        };
        return new FinalModel(model, manifest, report);
    }

    /// <summary>Writes the bundle folder: model.onnx (with the labels and spec id as metadata), manifest.json, metrics.json.</summary>
    /// <remarks>
    /// The manifest records the SHA-256 of model.onnx, so a reader that sees a new model next to an old manifest (or
    /// the reverse) while a bundle is being replaced refuses the pair instead of mixing them. Each file is written
    /// to a temporary name and renamed into place.
    /// </remarks>
    public static void Write(string folder, FinalModel final)
    {
        ArgumentNullException.ThrowIfNull(final);
        Directory.CreateDirectory(folder);
        string onnxTemporary = Path.Combine(folder, $"{OnnxFileName}.{Environment.ProcessId}.tmp");
        var manifest = final.Manifest;
        OnnxExporter.Export(
            final.Model.Module,
            [manifest.InputShape[0], manifest.InputShape[1], manifest.InputShape[2]],
            onnxTemporary,
            new OnnxExportOptions
            {
                MetadataProps = new Dictionary<string, string>
                {
                    ["labels"] = string.Join(',', manifest.Labels),
                    ["specId"] = manifest.SpecId,
                    ["modelId"] = manifest.ModelId,
                },
                DocString = $"CryFunctions {manifest.Architecture} for {string.Join(", ", manifest.Labels)}",
            });
        string hash;
        using (var onnx = File.OpenRead(onnxTemporary))
        {
            hash = Convert.ToHexStringLower(SHA256.HashData(onnx));
        }

        File.Move(onnxTemporary, Path.Combine(folder, OnnxFileName), overwrite: true);
        WriteAtomically(Path.Combine(folder, ModelManifest.FileName), (manifest with { ModelSha256 = hash }).ToJson());
        WriteAtomically(Path.Combine(folder, MetricsFileName), final.Validation.ToJson());
    }

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
