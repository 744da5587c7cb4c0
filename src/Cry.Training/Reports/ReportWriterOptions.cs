namespace Cry.Training.Reports;

/// <summary>Settings of <see cref="ReportWriter"/>.</summary>
/// <remarks>
/// Plot text needs a TrueType font. SkiaSharp's dependency-free Linux build has no font manager, so without
/// <see cref="FontFile"/> the writer looks for a sans-serif font file in the usual font folders
/// (<c>/usr/share/fonts</c> and others; on Debian or Ubuntu <c>apt-get install fonts-dejavu-core</c> provides one).
/// </remarks>
public sealed record ReportWriterOptions
{
    /// <summary>A TrueType or OpenType font file for all plot text; null to find one (see remarks).</summary>
    public string? FontFile { get; init; }

    /// <summary>Feature images drawn per class in <c>examples.png</c>; default 4.</summary>
    public int ExamplesPerClass { get; init; } = 4;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ExamplesPerClass"/> is not positive.</exception>
    /// <exception cref="FileNotFoundException"><see cref="FontFile"/> does not exist.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ExamplesPerClass);
        if (FontFile is not null && !File.Exists(FontFile))
        {
            throw new FileNotFoundException($"The font file '{FontFile}' does not exist.", FontFile);
        }
    }
}
