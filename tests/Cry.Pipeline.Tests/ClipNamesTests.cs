namespace Cry.Pipeline.Tests;

public sealed class ClipNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("a.wav")]
    [InlineData("a.wave")]
    [InlineData("a.m4a")]
    [InlineData("A.WAV")]
    [InlineData("x.wav.reason.json")]
    [InlineData("0a1b2c3d-1111-2222-3333-444455556666-1430000000-1.0-f-04-ti.wav")]
    [InlineData("belly_pain")]
    [InlineData("-a.wav")]
    [InlineData("console.wav")]
    [InlineData("COM10.wav")]
    [InlineData("a.tmp.wav")]
    public void Validate_SafeName_ReturnsNull(string name)
    {
        Assert.Null(ClipNames.Validate(name));
        Assert.True(ClipNames.IsAddressable(name));
    }

    [Fact]
    public void Validate_LongestName_ReturnsNull()
    {
        Assert.Null(ClipNames.Validate(new string('a', ClipNames.MaxLength - 4) + ".wav"));
    }

    [Theory]
    [InlineData(".hidden.wav", "starts with '.'")]
    [InlineData(".reason.json", "starts with '.'")]
    [InlineData("a b.wav", "U+0020")]
    [InlineData("caf\u00e9.wav", "U+00E9")]
    [InlineData("cafe\u0301.wav", "U+0301")]
    [InlineData("a%2F.wav", "U+0025")]
    [InlineData("a#1.wav", "U+0023")]
    [InlineData("a.tmp", "'.tmp'")]
    [InlineData("a.wav.TMP", "'.tmp'")]
    [InlineData("CON", "device name")]
    [InlineData("nul.wav", "device name")]
    [InlineData("Lpt1.m4a", "device name")]
    public void Validate_UnsafeButAddressableName_ReturnsReason(string name, string expected)
    {
        string? reason = ClipNames.Validate(name);

        Assert.NotNull(reason);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
        Assert.True(ClipNames.IsAddressable(name)); // so it can be quarantined under its own name
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "'.' and '..'")]
    [InlineData("..", "'.' and '..'")]
    [InlineData("a/b.wav", "path separator")]
    [InlineData("../a.wav", "path separator")]
    [InlineData("a\\b.wav", "path separator")]
    [InlineData("a\u0000.wav", "control character")]
    [InlineData("a\n.wav", "control character")]
    [InlineData("a.", "ends with '.'")]
    [InlineData("a.wav ", "ends with '.' or a space")]
    public void Validate_UnaddressableName_ReturnsReason(string name, string expected)
    {
        string? reason = ClipNames.Validate(name);

        Assert.NotNull(reason);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
        Assert.False(ClipNames.IsAddressable(name));
    }

    [Fact]
    public void Validate_Null_ReturnsReason()
    {
        Assert.Equal("it is empty", ClipNames.Validate(null));
    }

    [Theory]
    [InlineData(ClipNames.MaxLength + 1)]
    [InlineData(300)]
    public void Validate_TooLong_ReturnsReasonWithTheLimit(int length)
    {
        string name = new('a', length);

        Assert.Equal($"it has {length} characters, more than {ClipNames.MaxLength}", ClipNames.Validate(name));
        Assert.False(ClipNames.IsAddressable(name)); // the local store could not hold its note
    }

    [Fact]
    public void Validate_Reason_NeverRepeatsTheName()
    {
        const string Name = "mother-name 2026.wav";

        Assert.DoesNotContain("mother", ClipNames.Validate(Name)!, StringComparison.Ordinal);
    }
}
