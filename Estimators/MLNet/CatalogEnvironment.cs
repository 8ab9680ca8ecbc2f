using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetRnn.MLNet;

/// <summary>
/// The two things of the caller's MLContext that ML.NET (5.0.1 to at least 6.0.0) keeps internal, reached here and
/// nowhere else:
/// <list type="bullet">
/// <item>a catalog's environment: ML.NET's own trainers outside Microsoft.ML.Data (LightGbm, TorchSharp) call the
/// internal <c>CatalogUtils.GetEnvironment</c> through InternalsVisibleTo; there is no public accessor, so this reads
/// the catalog's internal <c>IInternalCatalog.Environment</c>.</item>
/// <item>whether <c>MLContext.CancelExecution</c> (itself internal, called by AutoML on a trial's timeout) was called:
/// the internal <c>ICancelable.IsCanceled</c> of the environment.</item>
/// </list>
/// Everything done with the environment afterwards (Register, Rand, Start, IChannel.Info) is public API.
/// </summary>
internal static class CatalogEnvironment
{
    private static readonly PropertyInfo? EnvironmentProperty =
        typeof(TrainCatalogBase).Assembly.GetType("Microsoft.ML.Data.IInternalCatalog")?.GetProperty("Environment");

    private static readonly PropertyInfo? IsCanceledProperty =
        typeof(IHostEnvironment).Assembly.GetType("Microsoft.ML.Runtime.ICancelable")?.GetProperty("IsCanceled");

    /// <summary>The environment behind an ML.NET catalog (the MLContext's), whose log, seed and cancellation the
    /// trainer uses.</summary>
    public static IHostEnvironment Of(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (EnvironmentProperty is not null && EnvironmentProperty.DeclaringType!.IsInstanceOfType(catalog) &&
            EnvironmentProperty.GetValue(catalog) is IHostEnvironment environment)
            return environment;
        throw new NotSupportedException(
            $"MlNetRnn.MLNet could not reach the MLContext behind {catalog.GetType().FullName} in Microsoft.ML " +
            $"{typeof(MLContext).Assembly.GetName().Version}: it reads the catalog's internal IInternalCatalog.Environment " +
            "(Microsoft.ML 5.0.1 to 6.x). Use a Microsoft.ML version this MlNetRnn.MLNet supports.");
    }

    /// <summary>A check of whether the environment, or the host registered from it, was cancelled through
    /// MLContext.CancelExecution. Never true where ML.NET does not expose the flag.</summary>
    public static Func<bool> Cancellation(IHostEnvironment environment, IHost host)
    {
        if (IsCanceledProperty is null)
            return static () => false;
        var getter = IsCanceledProperty.GetMethod!;
        var checks = new[] { (object)environment, host }
            .Where(IsCanceledProperty.DeclaringType!.IsInstanceOfType)
            .Select(target => getter.CreateDelegate<Func<bool>>(target))
            .ToArray();
        return () => checks.Any(check => check());
    }
}
