namespace Cry.Training.Tests;

/// <summary>A throw-away folder tree of empty clip files for dataset tests; deleted on dispose.</summary>
internal sealed class TempCorpus : IDisposable
{
    public TempCorpus()
    {
        Root = Path.Combine(Path.GetTempPath(), "cry-training-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public TempCorpus WithFiles(string folder, params string[] names)
    {
        string directory = Path.Combine(Root, folder);
        Directory.CreateDirectory(directory);
        foreach (string name in names)
        {
            File.WriteAllBytes(Path.Combine(directory, name), []);
        }

        return this;
    }

    public string WriteFile(string relativePath, string text)
    {
        string path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
