using Cry.Training.Data;

namespace Cry.Training.Tests.Data;

public sealed class GroupKeyPatternTests
{
    [Theory]
    [InlineData("549a46d8-9c84-430e-ade8-97eae2bef787-1430130772174-1.7-m-48-bp.wav", "549a46d8-9c84-430e-ade8-97eae2bef787")]
    [InlineData("/corpus/burping/7E4B9C14-F955-4BED-9B03-7F3096A6CBFF-1430232208-1.0-f-26-bu.wav", "7e4b9c14-f955-4bed-9b03-7f3096a6cbff")]
    [InlineData("recording-17.wav", "recording-17.wav")]
    [InlineData("549a46d8-9c84-430e-ade8.wav", "549a46d8-9c84-430e-ade8.wav")]
    [InlineData("x549a46d8-9c84-430e-ade8-97eae2bef787.wav", "x549a46d8-9c84-430e-ade8-97eae2bef787.wav")]
    public void GetGroup_Default_LeadingUuidLowerCasedElseFileName(string path, string expected)
    {
        Assert.Equal(expected, GroupKeyPattern.Default.GetGroup(path));
    }

    [Fact]
    public void GetGroup_SameUuidInTwoCases_OneGroup()
    {
        Assert.Equal(
            GroupKeyPattern.Default.GetGroup("7e4b9c14-f955-4bed-9b03-7f3096a6cbff-1.wav"),
            GroupKeyPattern.Default.GetGroup("7E4B9C14-F955-4BED-9B03-7F3096A6CBFF-2.wav"));
    }

    [Fact]
    public void GetGroup_CustomPatternCaseSensitive_KeepsCase()
    {
        var pattern = new GroupKeyPattern("^(?<group>[A-Za-z]+)_", ignoreCase: false);

        Assert.Equal("Mother", pattern.GetGroup("Mother_take3.wav"));
        Assert.True(pattern.Matches("Mother_take3.wav"));
        Assert.False(pattern.Matches("take3.wav"));
        Assert.Equal("take3.wav", pattern.GetGroup("take3.wav"));
    }

    [Theory]
    [InlineData("^([0-9a-f]{8})")]
    [InlineData("(?<group>[")]
    [InlineData(" ")]
    public void Constructor_NoNamedGroupOrInvalid_Throws(string pattern)
    {
        Assert.ThrowsAny<ArgumentException>(() => new GroupKeyPattern(pattern));
    }
}
