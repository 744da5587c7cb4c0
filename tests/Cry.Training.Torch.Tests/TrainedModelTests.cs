namespace Cry.Training.Torch.Tests;

public sealed class TrainedModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cry-torch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SaveWeights_LoadWeights_RoundTripsPredictionsAndDescription()
    {
        var train = QuadrantImages.Create(12, channels: 2, seed: 21);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 4, Patience = 0, Threads = 1, Device = "cpu", Seed = 3 };
        using var trained = Trainer.Fit(train, train, options, QuadrantImages.Accuracy);
        string path = Path.Combine(_directory, "model.bin");

        trained.SaveWeights(path);
        using var loaded = TrainedModel.LoadWeights(path, "cpu");

        Assert.Equal(trained.Predict(train.Inputs, train.Count), loaded.Predict(train.Inputs, train.Count));
        Assert.Equal(trained.ModelName, loaded.ModelName);
        Assert.Equal((2, 16, 16, 3), (loaded.InputChannels, loaded.InputHeight, loaded.InputWidth, loaded.ClassCount));
        Assert.Equal(trained.Normalization.Mean, loaded.Normalization.Mean);
        Assert.Equal(trained.Normalization.Std, loaded.Normalization.Std);
        Assert.Equal(trained.BestEpoch, loaded.BestEpoch);
        Assert.Empty(loaded.History);
    }

    [Fact]
    public void LoadWeights_MissingDescription_Throws() =>
        Assert.Throws<FileNotFoundException>(() => TrainedModel.LoadWeights(Path.Combine(_directory, "absent.bin"), "cpu"));
}
