namespace Cry.Training.Torch.Tests;

public class TrainingInputsTests
{
    [Fact]
    public void TrainingData_WrongInputLength_Throws() =>
        Assert.Throws<ArgumentException>(() => new TrainingData(new float[11], [0, 1, 2], 1, 2, 2, 3));

    [Fact]
    public void TrainingData_LabelOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingData(new float[8], [0, 3], 1, 2, 2, 3));

    [Fact]
    public void TrainingOptions_UnknownDevice_ThrowsListingKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingOptions { Device = "tpu" });
        Assert.Contains("cuda", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingOptions_ModelName_IsCaseInsensitive() =>
        Assert.Equal("paper", new TrainingOptions { Model = "PAPER" }.Model);

    [Fact]
    public void TrainingOptions_UnknownModel_Throws() =>
        Assert.Throws<ArgumentException>(() => new TrainingOptions { Model = "vgg" });

    [Fact]
    public void TrainingOptions_ZeroEpochs_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Epochs = 0 });
}
