using System.CommandLine;
using Cry.Audio.Augmentation;
using Cry.Features.Specs;
using Cry.Training.Data;
using Cry.Training.Torch;
using Cry.Training.Torch.Experiments;

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

    public Option<int> Patience { get; } = new("--patience") { Description = "Stop after this many epochs without a better validation macro-F1 (0: never).", DefaultValueFactory = _ => 10 };

    public Option<long> Seed { get; } = new("--seed") { Description = "Seed of splits, augmentation order and weights: the same seed gives the same CPU run.", DefaultValueFactory = _ => 1 };

    public Option<string> Device { get; } = new("--device") { Description = "auto (CUDA when present, else CPU), cpu or cuda.", DefaultValueFactory = _ => "auto" };

    public Option<int> Threads { get; } = new("--threads") { Description = "CPU threads for feature extraction and training (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };

    public Option<string?> Cache { get; } = new("--cache") { Description = "Feature cache folder (tensors per spec id), reused by later runs. Default: <data>/../.cry-cache." };

    public Option<bool> NoAugment { get; } = new("--no-augment") { Description = "Train on the original clips only (default: the research's policy, three variants for every class but hungry)." };

    public IEnumerable<Option> All => [Data, Spec, Preset, Model, Epochs, BatchSize, LearningRate, Patience, Seed, Device, Threads, Cache, NoAugment];

    public ExperimentOptions Experiment(ParseResult parse, int folds = 5, EvaluationProtocol protocol = EvaluationProtocol.Grouped)
    {
        try
        {
            TorchDevices.Resolve(parse.GetValue(Device)!);
        }
        catch (InvalidOperationException ex)
        {
            throw new UsageException($"--device {parse.GetValue(Device)}: {ex.Message}", ex);
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
                    Model = parse.GetValue(Model)!,
                    Epochs = parse.GetValue(Epochs),
                    BatchSize = parse.GetValue(BatchSize),
                    LearningRate = parse.GetValue(LearningRate),
                    Patience = parse.GetValue(Patience),
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

    /// <summary>The line that says whether the bundle has a cry detector, and what became of not_cry/ and cry/.</summary>
    public static string DetectorNote(ClipDataset dataset)
    {
        int notCry = dataset.DetectorClips.Count(c => c.Label == ReservedLabels.NotCry);
        int cry = dataset.DetectorClips.Count - notCry;
        return notCry + cry == 0
            ? $"no cry detector: the data has no {ReservedLabels.NotCry}/ folder, so answers carry cryDetected: null"
            : $"no cry detector: {notCry} recordings of {ReservedLabels.NotCry}/ and {cry} of {ReservedLabels.Cry}/ were kept out of the need classes " +
              "(never augmented), but this version does not train the detector yet, so answers carry cryDetected: null";
    }

    public FeaturizedDataset Featurize(ParseResult parse, TextWriter error)
    {
        var spec = FeaturesCommand.LoadSpec(parse.GetValue(Spec), parse.GetValue(Preset) ?? (parse.GetValue(Spec) is null ? "default" : null));
        spec.RequireStage(FeatureStage.Image);
        string data = parse.GetValue(Data)!;
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
