using Cry.Audio;
using Cry.TestSupport;

namespace Cry.Inference.Tests;

public sealed class RobustnessTests : IDisposable
{
    private readonly TempBundles _temp = new();
    private readonly Predictor _predictor;

    public RobustnessTests()
    {
        TinyBundle.Create(["hungry", "tired"]).Write(_temp["model"]);
        _predictor = Predictor.FromFolder(_temp["model"], new InferenceOptions { Device = "cpu" });
    }

    public static TheoryData<string> Names() => [.. RobustnessCorpus.Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryCase_IsScoredOrRefusedWithAMessage_NeverAnotherError(string name)
    {
        var (_, bytes, expected) = RobustnessCorpus.Cases.Single(c => c.Name == name);
        if (expected == Expected.Result)
        {
            var result = _predictor.Predict(bytes);
            Assert.InRange(result.Confidence!.Value, 0, 1);
            Assert.Equal(name == "silence", result.Silent);
            return;
        }

        var ex = Assert.Throws<AudioFormatException>(() => _predictor.Predict(bytes));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.True(expected == Expected.Unsupported == ex.IsUnsupportedFormat, $"{name}: {ex.Message}");
    }

    public void Dispose()
    {
        _predictor.Dispose();
        _temp.Dispose();
    }
}
