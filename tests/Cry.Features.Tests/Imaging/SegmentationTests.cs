using Cry.Features.Imaging;

namespace Cry.Features.Tests.Imaging;

public sealed class SegmentationTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(61, 7)]
    [InlineData(407, 64)]
    [InlineData(300, 300)]
    public void ComputeFlooredLast_EveryLengthUpTo_IsFloorOfKTimesNOverSize(int maxLength, int maxSize)
    {
        for (int n = 1; n <= maxLength; n++)
        {
            for (int size = 1; size <= Math.Min(n, maxSize); size++)
            {
                var start = new int[size];
                var end = new int[size];
                var pytsStart = new int[size];
                var pytsEnd = new int[size];
                Segmentation.ComputeFlooredLast(n, size, start, end);
                Segmentation.Compute(n, size, overlapping: false, pytsStart, pytsEnd);
                int[] floored = [.. Enumerable.Range(0, size + 1).Select(k => (int)(k * ((double)n / size)))];
                Assert.Equal(floored[..^1], start);
                Assert.Equal(floored[1..], end);
                Assert.Equal(pytsStart, start);
                Assert.Equal(pytsEnd[..^1], end[..^1]);
                Assert.True(end[^1] == n || end[^1] == n - 1);
            }
        }
    }

    [Fact]
    public void ComputeFlooredLast_61By7_LeavesTheLastValueOut()
    {
        var start = new int[7];
        var end = new int[7];
        Segmentation.ComputeFlooredLast(61, 7, start, end);
        Assert.Equal(60, end[^1]);
    }
}
