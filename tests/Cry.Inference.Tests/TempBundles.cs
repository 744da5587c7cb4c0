namespace Cry.Inference.Tests;

/// <summary>A temporary folder for bundles, deleted after the test.</summary>
internal sealed class TempBundles : IDisposable
{
    public TempBundles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "cry-inference-" + Guid.NewGuid().ToString("N"));

    public string this[string name] => Path.Combine(Root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless.
        }
    }
}
