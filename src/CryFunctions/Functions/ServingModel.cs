using Cry.Inference;
using Cry.Pipeline;
using Cry.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CryFunctions.Functions;

/// <summary>What the endpoints that need the champion answer while it cannot serve: one mapping for all of them.</summary>
internal static class ServingModel
{
    /// <summary>Runs an answer that needs the champion; a champion that is missing, unreachable or broken is a 503 problem, never a 500.</summary>
    public static async Task<IResult> AnswerAsync(Func<Task<IResult>> action, ILogger logger)
    {
        try
        {
            return await action();
        }
        catch (ChampionModelSource.NoChampionException ex)
        {
            return Problems.NoModel(ex.Message);
        }
        catch (ChampionModelSource.StoreUnavailableException ex)
        {
            FunctionsLog.StoreUnavailable(logger, ex.Message);
            return Problems.ModelStoreUnavailable(ex.Message);
        }
        catch (ModelBundleException ex)
        {
            // champion.json names a bundle that is missing or broken: an operator's problem, said as such, not a 500.
            FunctionsLog.ChampionUnloadable(logger, ex.Message);
            return Problems.ModelUnloadable(ex.Message);
        }
    }

    /// <summary>The health check's note when no model can serve yet (the app itself is healthy), or null for any other exception.</summary>
    public static string? Unready(Exception exception) => exception switch
    {
        ChampionModelSource.NoChampionException => "no champion promoted yet",
        ChampionModelSource.StoreUnavailableException => "no model loaded yet: the model store cannot be reached",
        ModelBundleException => "no model loaded yet: the champion's bundle cannot be loaded",
        _ => null,
    };
}
