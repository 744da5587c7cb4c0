using Cry.Features.Imaging;
using Cry.Features.Specs;

namespace Cry.Features.Tests.Specs;

public sealed class ImageSpecTests
{
    private static readonly ImageSpec s_image = new()
    {
        Channels = [ImageChannel.Gasf, ImageChannel.Gadf, ImageChannel.Mtf, ImageChannel.Rp, ImageChannel.Mel],
        Size = 9,
        SampleRange = [-0.5, 1],
        Overlapping = true,
        Bins = 6,
        Strategy = BinStrategy.Uniform,
        Dimension = 3,
        TimeDelay = 2,
        Threshold = new RecurrenceThresholdSetting(RecurrenceThreshold.Distance, 0),
        Percentage = 40,
    };

    [Fact]
    public void CreateTransform_EachSeriesChannel_CarriesTheSpecsParameters()
    {
        var gasf = Assert.IsType<GramianAngularField>(s_image.CreateTransform(ImageChannel.Gasf));
        Assert.Equal(new GramianAngularFieldOptions { Size = 9, SampleMin = -0.5, SampleMax = 1, Overlapping = true }, gasf.Options);
        var gadf = Assert.IsType<GramianAngularField>(s_image.CreateTransform(ImageChannel.Gadf));
        Assert.Equal(GramianAngularFieldMethod.Difference, gadf.Options.Method);
        var mtf = Assert.IsType<MarkovTransitionField>(s_image.CreateTransform(ImageChannel.Mtf));
        Assert.Equal(new MarkovTransitionFieldOptions { Size = 9, Bins = 6, Strategy = BinStrategy.Uniform, Overlapping = true }, mtf.Options);
        var rp = Assert.IsType<RecurrencePlot>(s_image.CreateTransform(ImageChannel.Rp));
        Assert.Equal(
            new RecurrencePlotOptions { Size = 9, Overlapping = true, Dimension = 3, TimeDelay = 2, Threshold = RecurrenceThreshold.Distance, Percentage = 40 },
            rp.Options);
        Assert.Equal(9 + 4, rp.MinimumSeriesLength);
    }

    [Fact]
    public void CreateTransform_Mel_ThrowsAndCreateMelImageHasTheSize()
    {
        Assert.Throws<ArgumentException>(() => s_image.CreateTransform(ImageChannel.Mel));
        Assert.Equal(9, s_image.CreateMelImage().Options.Size);
    }
}
