using System.CommandLine;
using System.Globalization;
using Cry.Features.Models;
using Cry.Audio.Augmentation;
using Cry.Features.Specs;
using Cry.Training.Data;
using Cry.Training.Torch;
using Cry.Training.Torch.Experiments;
using Cry.Training.Torch.Models;

namespace Cry.Cli.Commands;

/// <summary>The options shared by <c>cry train</c> and <c>cry evaluate</c>, and how they become a featurized dataset and experiment options.</summary>
internal sealed class TrainingArguments
{
    public Option<string> Data { get; } = new("--data") { Description = "A folder of <label>/<recording> (the corpus layout; WAV, CAF, 3GP, M4A, WebM, Ogg, MP3, FLAC, … may be mixed).", Required = true };

    public Option<string?> Spec { get; } = new("--spec") { Description = "A feature spec JSON file (with an image part)." };

    public Option<string?> Preset { get; } = new("--preset") { Description = $"A named spec instead of --spec: {string.Join(", ", FeatureSpecPresets.Names)} (default: default)." };

    public Option<string> Model { get; } = new("--model")
    {
        Description = $"Network: {string.Join(", ", ModelFactory.Names)}. For `cry evaluate`, a model bundle folder instead scores that model without training.",
        DefaultValueFactory = _ => ModelFactory.DefaultName,
    };

    public Option<int> Epochs { get; } = new("--epochs") { Description = "Maximum training epochs.", DefaultValueFactory = _ => 40 };

    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Samples per optimiser step.", DefaultValueFactory = _ => 32 };

    public Option<double> LearningRate { get; } = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3 };

    public Option<int> Patience { get; } = new("--patience") { Description = "Stop after this many epochs without a better validation score by --stop-on (0: never); the best epoch is kept.", DefaultValueFactory = _ => 10 };

    public TrainingArguments() => StopOn.AcceptOnlyFromAmong("loss", "macro-f1", "none");

    public Option<string> StopOn { get; } = new("--stop-on")
    {
        Description = "What early stopping keeps the best epoch by: macro-f1 (the validation macro-F1, default: the best out of fold in docs/results.md), loss (the validation loss: stops early, undertrained), or none (a fixed budget: all --epochs run and the last is kept). With --patience 0 all --epochs run and the best epoch by the rule is still kept.",
        DefaultValueFactory = _ => "macro-f1",
    };

    public Option<long> Seed { get; } = new("--seed") { Description = "Seed of splits, augmentation order and weights: the same seed gives the same CPU run.", DefaultValueFactory = _ => 1 };

    public Option<string> Device { get; } = new("--device") { Description = "auto (CUDA when present, else CPU), cpu or cuda.", DefaultValueFactory = _ => "auto" };

    public Option<int> Threads { get; } = new("--threads") { Description = "CPU threads for feature extraction and training (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };

    public Option<string?> Cache { get; } = new("--cache") { Description = "Feature cache folder (tensors per spec id), reused by later runs. Default: <data>/../.cry-cache." };

    public Option<bool> NoAugment { get; } = new("--no-augment") { Description = "Train on the original clips only (default: the research's policy, three variants for every class but hungry)." };

    public Option<string[]> DetectorData { get; } = new("--detector-data")
    {
        Description = "A folder of recordings for the cry detector only: its not_cry/ are non-cries, every other sub-folder cries (e.g. a phone app's raw uploads: cry/, not_cry/, other_reason/). May be repeated.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<double> Alpha { get; } = new("--alpha") { Description = "Miscoverage of the prediction sets: the set holds the true need at least 1 − α of the time per need.", DefaultValueFactory = _ => 0.1 };

    public Option<double> CryRecall { get; } = new("--cry-recall") { Description = "The out-of-fold cry recall the detector's threshold is chosen for.", DefaultValueFactory = _ => 0.97 };

    public Option<double> ConfidentPrecision { get; } = new("--confident-precision")
    {
        Description = "The precision a confident answer must be certified to (95 % lower bound), at least; a label also needs its share + --prior-margin.",
        DefaultValueFactory = _ => 0.8,
    };

    public Option<double> PriorMargin { get; } = new("--prior-margin") { Description = "How far above its share in the data a label's certified precision must be.", DefaultValueFactory = _ => 0.05 };

    public Option<string?> ExcludeAudit { get; } = new("--exclude-audit")
    {
        Description = "An audit.json of `cry audit DIR --out R`: leave out its flagged clips and the second copy of each duplicate, and treat the app instances it says to merge as one group.",
    };

    public IEnumerable<Option> All => [Data, Spec, Preset, Model, Epochs, BatchSize, LearningRate, Patience, StopOn, Seed, Device, Threads, Cache, NoAugment, ExcludeAudit];

    /// <summary>The options of a bundle's guarantees and detector (train and demo).</summary>
    public IEnumerable<Option> Guarantees => [DetectorData, Alpha, CryRecall, ConfidentPrecision, PriorMargin];

    /// <summary>The ensemble's settings; folds lowered to the smallest class's number of groups (with a warning), never below 2.</summary>
    public EnsembleOptions Ensemble(ParseResult parse, FeaturizedDataset features, int folds, TextWriter error)
    {
        int[] groups = features.Dataset.GroupCountsPerLabel();
        int fewest = groups.Length == 0 ? 0 : groups.Min();
        if (fewest < folds)
        {
            if (fewest < 2)
            {
                string label = features.Dataset.Labels[Array.IndexOf(groups, fewest)];
                throw new BadInputException($"'{label}' has recordings of {fewest} app instance(s); grouped folds need at least 2 per need.");
            }

            error.WriteLine($"cry: warning: {folds} folds lowered to {fewest}, the fewest app instances of a need.");
            folds = fewest;
        }

        try
        {
            var options = new EnsembleOptions
            {
                Experiment = Experiment(parse, folds),
                Alpha = parse.GetValue(Alpha),
                Certification = new Training.Guarantees.CertificationOptions { Target = parse.GetValue(ConfidentPrecision), MarginOverPrior = parse.GetValue(PriorMargin) },
                Detector = new Training.Detection.DetectorTrainingOptions { RecallTarget = parse.GetValue(CryRecall) },
            };
            if (!(options.Alpha > 0 && options.Alpha < 1))
            {
                throw new ArgumentException($"--alpha must lie in (0, 1), not {options.Alpha}.");
            }

            options.Certification.Validate();
            options.Detector.Validate();
            return options;
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
    }

    /// <summary>The recordings of every --detector-data folder.</summary>
    public IReadOnlyList<ClipInfo> DetectorClips(ParseResult parse) => LoadDetectorFolders(parse.GetValue(DetectorData) ?? []);

    /// <summary>The recordings of detector folders (<c>not_cry/</c> non-cries, every other sub-folder cries); a bad folder is bad input.</summary>
    public static IReadOnlyList<ClipInfo> LoadDetectorFolders(IEnumerable<string> folders)
    {
        var result = new List<ClipInfo>();
        foreach (string folder in folders)
        {
            try
            {
                result.AddRange(ClipDataset.DetectorFolder(folder));
            }
            catch (DatasetException ex)
            {
                throw new BadInputException($"{folder}: {ex.Message}", ex);
            }
        }

        return result;
    }

    public ExperimentOptions Experiment(ParseResult parse, int folds = 5, EvaluationProtocol protocol = EvaluationProtocol.Grouped)
    {
        CheckDevice(parse.GetValue(Device)!);
        string model = parse.GetValue(Model)!;
        if (!ModelFactory.Names.Contains(model, StringComparer.OrdinalIgnoreCase) && ModelFactory.ExperimentNames.Contains(model, StringComparer.OrdinalIgnoreCase))
        {
            throw new UsageException($"{model} is an experiment network (`cry experiment`): a bundle holds {string.Join(", ", ModelFactory.Names)}.");
        }

        try
        {
            return new ExperimentOptions
            {
                Folds = folds,
                Protocol = protocol,
                Seed = (ulong)parse.GetValue(Seed),
                Training = new TrainingOptions
                {
                    Model = model,
                    Epochs = parse.GetValue(Epochs),
                    BatchSize = parse.GetValue(BatchSize),
                    LearningRate = parse.GetValue(LearningRate),
                    Patience = parse.GetValue(Patience),
                    StopOn = StopRule(parse.GetValue(StopOn)),
                    Seed = parse.GetValue(Seed),
                    Device = parse.GetValue(Device)!,
                    Threads = parse.GetValue(Threads),
                },
            };
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Split(" (Parameter", 2)[0], ex);
        }
    }

    /// <summary>A labelled folder as a dataset, with what an audit file (<c>--exclude-audit</c>) leaves out applied.</summary>
    /// <exception cref="BadInputException">The folder is missing or not a dataset, or the audit file is not one.</exception>
    public static ClipDataset LoadDataset(string data, string? auditFile, TextWriter error)
    {
        if (!Directory.Exists(data))
        {
            throw new BadInputException($"{data}: folder not found.");
        }

        ClipDataset dataset;
        try
        {
            dataset = ClipDataset.FromFolder(data);
        }
        catch (DatasetException ex)
        {
            throw new BadInputException($"{data}: {ex.Message}", ex);
        }

        if (auditFile is not null)
        {
            dataset = Experiments.AuditExclusion.Apply(dataset, data, auditFile, out string summary);
            error.WriteLine($"cry: {summary}");
        }

        return dataset;
    }

    /// <summary>Checks a <c>--device</c> value.</summary>
    /// <exception cref="UsageException">No such device here.</exception>
    public static void CheckDevice(string device)
    {
        try
        {
            TorchDevices.Resolve(device);
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException($"--device {device}: {ex.Message}", ex);
        }
    }

    /// <summary>The early-stopping rule of a <c>--stop-on</c> (or grid <c>stopOn</c>) value: loss, none, else macro-F1.</summary>
    public static EarlyStoppingCriterion StopRule(string? value) => value switch
    {
        "loss" => EarlyStoppingCriterion.ValidationLoss,
        "none" => EarlyStoppingCriterion.Last,
        _ => EarlyStoppingCriterion.MacroF1,
    };

    /// <summary>The lines that say what the bundle's detector, sets and confident answers are.</summary>
    public static IEnumerable<string> GuaranteeNotes(ModelManifest manifest)
    {
        if (manifest.Detector is { } d)
        {
            var q = d.OutOfFold;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"cry detector: {q.Positives} cries, {q.Negatives} non-cries; out of fold recall {q.Recall:0.000}, specificity {q.Specificity:0.000}, AUC {q.Auc:0.000} at threshold {d.Threshold:0.000}");
        }
        else
        {
            yield return $"no cry detector: the data has no {ReservedLabels.NotCry}/ recordings (add a {ReservedLabels.NotCry}/ folder or --detector-data), so answers carry cryDetected: null";
        }

        if (manifest.Conformal is { } c)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"sets at level {1 - c.Alpha:0.##}") +
                (c.AlwaysInSet.Count > 0 ? $"; always in the set (too few recordings to rule out): {string.Join(", ", c.AlwaysInSet)}" : string.Empty);
        }

        if (manifest.Certification is { } cert)
        {
            var certified = cert.Labels.Where(l => l.Threshold is not null).ToList();
            yield return certified.Count == 0
                ? "confident answers: none certified, so every answer is marked uncertain (the sets still narrow the needs down)"
                : "confident answers: " + string.Join("; ", certified.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Label} at ≥ {l.Threshold:0.###} (precision ≥ {l.CertifiedPrecision:0.000}, 95 %)")));
        }
    }

    public FeaturizedDataset Featurize(ParseResult parse, TextWriter error)
    {
        var spec = FeaturesCommand.LoadSpec(parse.GetValue(Spec), parse.GetValue(Preset) ?? (parse.GetValue(Spec) is null ? "default" : null));
        spec.RequireStage(FeatureStage.Image);
        string data = parse.GetValue(Data)!;
        var dataset = LoadDataset(data, parse.GetValue(ExcludeAudit), error);

        string cache = parse.GetValue(Cache) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(data).TrimEnd(Path.DirectorySeparatorChar))!, ".cry-cache");
        var policy = parse.GetValue(NoAugment) ? AugmentationPolicy.None : AugmentationPolicy.Research;
        error.WriteLine($"cry: features of {dataset.Count} clips ({spec.Id}, cache {cache})");
        FeaturizedDataset features;
        try
        {
            features = FeaturizedDataset.Compute(dataset, spec, policy, cache, parse.GetValue(Threads));
        }
        catch (DatasetException ex)
        {
            throw new BadInputException($"{data}: {ex.Message}", ex);
        }

        foreach (var skipped in features.Skipped)
        {
            error.WriteLine($"cry: skipped {skipped.Path}: {skipped.Reason}");
        }

        return features;
    }
}
