namespace Cry.TestSupport;

/// <summary>Where the repository is, for tests that read its files (scripts, templates, sample settings).</summary>
public static class Repository
{
    /// <summary>The folder holding CryFunctions.sln, above the test binaries.</summary>
    /// <exception cref="InvalidOperationException">The tests do not run inside the repository.</exception>
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CryFunctions.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("CryFunctions.sln not found above the test binaries.");
    }
}
