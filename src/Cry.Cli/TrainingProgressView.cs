using System.Globalization;
using Cry.Training.Torch;
using Spectre.Console;

namespace Cry.Cli;

/// <summary>
/// Shows training progress: live Spectre.Console progress bars (one per fold and the final model, with loss and
/// validation macro-F1 of the latest epoch) on an interactive terminal, one plain line per epoch everywhere else
/// (redirected output, CI logs, tests), so logs stay readable without cursor control codes.
/// </summary>
internal sealed class TrainingProgressView : IProgress<TrainingProgress>
{
    private readonly TextWriter _error;
    private readonly IAnsiConsole? _console;
    private readonly Dictionary<int, ProgressTask> _tasks = [];
    private ProgressContext? _context;
    private double _bestScore = double.NegativeInfinity;
    private int _bestStage = -1;

    private TrainingProgressView(TextWriter error, IAnsiConsole? console)
    {
        _error = error;
        _console = console;
    }

    /// <summary>Whether live bars are drawn (else plain lines).</summary>
    public bool IsLive => _console is not null;

    /// <summary>Live bars when <paramref name="error"/> is the process's standard error on a terminal, plain lines otherwise.</summary>
    public static TrainingProgressView Create(TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        bool terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected
            && Environment.GetEnvironmentVariable("CI") is null
            && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
        if (!terminal)
        {
            return new TrainingProgressView(error, null);
        }

        return CreateLive(error, AnsiSupport.Detect);
    }

    /// <summary>Live bars on <paramref name="error"/> whatever it is (tests draw them into a string).</summary>
    internal static TrainingProgressView CreateLive(TextWriter error, AnsiSupport ansi, int? width = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Ansi = ansi,
            Interactive = InteractionSupport.Yes,
        });
        if (width is int columns)
        {
            console.Profile.Width = columns;
        }

        return new TrainingProgressView(error, console);
    }

    /// <summary>Writes a log line (above the bars when they are live).</summary>
    public void Log(string message)
    {
        if (_console is not null && _context is not null)
        {
            _console.MarkupLine(Markup.Escape($"cry: {message}"));
        }
        else
        {
            _error.WriteLine($"cry: {message}");
        }
    }

    /// <summary>Runs <paramref name="work"/> with the bars shown (plain lines when not live).</summary>
    public T Run<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_console is null)
        {
            return work();
        }

        return _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                _context = context;
                try
                {
                    return work();
                }
                finally
                {
                    foreach (var task in _tasks.Values)
                    {
                        Finish(task);
                    }

                    _context = null;
                }
            });
    }

    /// <inheritdoc/>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StageIndex != _bestStage)
        {
            _bestStage = value.StageIndex;
            _bestScore = double.NegativeInfinity;
        }

        var epoch = value.Epoch;
        _bestScore = Math.Max(_bestScore, epoch.ValidationScore);
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"{value.Stage} epoch {epoch.Epoch}/{value.MaxEpochs}: loss {epoch.TrainLoss:0.000}, validation loss {epoch.ValidationLoss:0.000}, " +
            $"validation macro-F1 {epoch.ValidationScore:0.000}{(epoch.IsBest ? " (best)" : string.Empty)}, {epoch.Elapsed.TotalSeconds:0.0} s");
        if (_context is null)
        {
            _error.WriteLine($"cry: {line}");
            return;
        }

        foreach (var (index, earlier) in _tasks)
        {
            if (index != value.StageIndex)
            {
                Finish(earlier);
            }
        }

        if (!_tasks.TryGetValue(value.StageIndex, out var task))
        {
            task = _context.AddTask(Markup.Escape(value.Stage), maxValue: value.MaxEpochs);
            _tasks[value.StageIndex] = task;
        }

        task.Value = epoch.Epoch;
        task.Description = Markup.Escape(string.Create(
            CultureInfo.InvariantCulture,
            $"{value.Stage,-12} epoch {epoch.Epoch,3}/{value.MaxEpochs}  loss {epoch.TrainLoss:0.000}  val F1 {epoch.ValidationScore:0.000} (best {_bestScore:0.000})"));
    }

    // A run that stopped early still counts as done: fill its bar.
    private static void Finish(ProgressTask task)
    {
        if (!task.IsFinished)
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
