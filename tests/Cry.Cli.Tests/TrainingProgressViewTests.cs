using System.Text.RegularExpressions;
using Cry.Training.Torch;
using Spectre.Console;

namespace Cry.Cli.Tests;

public sealed class TrainingProgressViewTests
{
    private static TrainingProgress Epoch(int stage, int epoch, double score, bool best) =>
        new(stage == 2 ? "final model" : $"fold {stage + 1}/2", stage, 3, 4, new EpochReport(epoch, 1.25, 1.5, score, best, TimeSpan.FromSeconds(2)));

    [Fact]
    public void PlainMode_WritesOneLinePerEpoch()
    {
        var error = new StringWriter();
        var view = TrainingProgressView.Create(error);
        Assert.False(view.IsLive);
        int result = view.Run(() =>
        {
            view.Log("fold 1/2: 10 training samples");
            view.Report(Epoch(0, 1, 0.2, true));
            view.Report(Epoch(0, 2, 0.1, false));
            return 7;
        });

        Assert.Equal(7, result);
        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "cry: fold 1/2: 10 training samples",
                "cry: fold 1/2 epoch 1/4: loss 1.250, validation loss 1.500, validation macro-F1 0.200 (best), 2.0 s",
                "cry: fold 1/2 epoch 2/4: loss 1.250, validation loss 1.500, validation macro-F1 0.100, 2.0 s",
            ],
            lines);
    }

    [Fact]
    public void LiveMode_DrawsABarPerStageWithTheBestScore_AndFillsStagesThatStoppedEarly()
    {
        var error = new StringWriter();
        var view = TrainingProgressView.CreateLive(error, AnsiSupport.Yes, width: 160);
        Assert.True(view.IsLive);
        view.Run(() =>
        {
            view.Log("fold [1/2]");
            view.Report(Epoch(0, 1, 0.3, true));
            view.Report(Epoch(0, 2, 0.1, false)); // stops early at 2 of 4
            view.Report(Epoch(1, 1, 0.05, true));
            view.Report(Epoch(2, 4, 0.4, true));
            return 0;
        });

        string text = Regex.Replace(error.ToString(), @"\u001b\[[0-9;?]*[A-Za-z]", string.Empty);
        Assert.Contains("cry: fold [1/2]", text, StringComparison.Ordinal); // markup in a message is escaped, not parsed
        Assert.Contains("best 0.300", text, StringComparison.Ordinal);
        Assert.Contains("best 0.050", text, StringComparison.Ordinal); // the best score restarts with each stage
        Assert.Contains("final model", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
    }
}
