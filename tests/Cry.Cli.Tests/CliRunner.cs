namespace Cry.Cli.Tests;

/// <summary>Runs the cry program in-process and captures its exit code and output.</summary>
internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CryApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs cry.dll in a process of its own with one environment variable set (settings read once per process).</summary>
    public static (int Code, string Out, string Err) RunWithEnvironment(string variable, string value, params string[] args)
        => RunProcess(variable, value, args);

    /// <summary>Runs cry.dll in a process of its own, so what it writes to the console itself (host logs) is captured too.</summary>
    public static (int Code, string Out, string Err) RunProcess(params string[] args) => RunProcess(null, null, args);

    private static (int Code, string Out, string Err) RunProcess(string? variable, string? value, string[] args)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET") is { Length: > 0 } d ? d : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "cry.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        if (variable is not null)
        {
            start.Environment[variable] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3))) // A command that should have ended (a server that should have refused) must not hang the run.
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"cry {string.Join(' ', args)} did not exit within 3 minutes: {error.Result}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cry-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
