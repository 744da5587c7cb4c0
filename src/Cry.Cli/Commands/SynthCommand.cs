using System.CommandLine;
using Cry.Audio;
using Cry.Audio.Wav;

namespace Cry.Cli.Commands;

/// <summary><c>cry synth</c>: writes a synthetic cry-like clip, for trying the pipeline without recordings.</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length in seconds, up to 600.", DefaultValueFactory = _ => 7.0 };
        seconds.Validators.Add(r =>
        {
            double v = r.GetValueOrDefault<double>();
            if (!(v > 0) || v > 600)
            {
                r.AddError("--seconds must be in (0, 600].");
            }
        });
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same clip.", DefaultValueFactory = _ => 1UL };
        var rate = new Option<int>("--sample-rate") { Description = "Sample rate in Hz (at least 1000).", DefaultValueFactory = _ => 8000 };
        rate.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v is < 1000 or > 384_000)
            {
                r.AddError("--sample-rate must be between 1000 and 384000.");
            }
        });
        var output = new Argument<string>("OUTPUT.wav") { Description = "Where the 16-bit PCM mono WAV is written." };
        var command = new Command(
            "synth",
            "Write a synthetic cry-like clip (harmonic chirps with f0 300-600 Hz in bursts, with noise): a test signal, not a real cry.")
        {
            seconds, seed, rate, output,
        };
        command.SetAction(parse =>
        {
            var signal = SyntheticCry.Generate(parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(seed));
            string path = parse.GetValue(output)!;
            InputFiles.EnsureParentFolder(path);
            using var stream = File.Create(path);
            WavEncoder.Write(stream, signal.Samples, signal.SampleRate);
            return ExitCodes.Success;
        });
        return command;
    }
}
