using System.Runtime.InteropServices;
using System.Text;

namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// The slice of ONNX Runtime's C function table (<c>struct OrtApi</c>) this binding calls, read by index from the
/// table that <c>OrtGetApiBase()-&gt;GetApi(ApiVersion)</c> returns.
/// <para>
/// Index source: <c>include/onnxruntime/core/session/onnxruntime_c_api.h</c> with <c>ORT_API_VERSION 29</c>
/// (ONNX Runtime 1.29), numbering the members of <c>struct OrtApi</c> from 0 in declaration order. The table is
/// append-only across versions, so these indices hold for every library that serves version 29 (1.29, 1.30, ...).
/// Cross-checked against the same table in ONNX Runtime's C# binding of 1.29 (identical for indices 0..416) and
/// against Microsoft's header of API 13 for indices 0..224. The newest function used is from API 22 (plugin
/// execution providers, indices 298..315); asking for 29 states the version the indices were read from.
/// </para>
/// <para>
/// Every function that returns <c>OrtStatus*</c> is called through <see cref="ThrowIfFailed"/>, which turns a
/// non-null status into an <see cref="OnnxRuntimeException"/> and always releases the status.
/// Handles are <see cref="IntPtr"/> here; ownership lives in <see cref="OrtHandle"/>.
/// On Windows <c>ORTCHAR_T</c> is <c>wchar_t</c> (UTF-16) and elsewhere <c>char</c> (UTF-8); see <see cref="EncodePath"/>.
/// </para>
/// </summary>
internal sealed unsafe class OnnxRuntimeNativeApi
{
    /// <summary>The C API version requested from the library (ONNX Runtime 1.29).</summary>
    public const uint ApiVersion = 29;

    /// <summary>The ONNX Runtime release that introduced <see cref="ApiVersion"/>, for messages.</summary>
    public const string MinimumRuntimeVersion = "1.29";

    // ORT enum values used here (onnxruntime_c_api.h): ONNXType, OrtAllocatorType, OrtMemType.
    public const int OnnxTypeTensor = 1;
    public const int ArenaAllocator = 1;
    public const int MemTypeDefault = 0;

    private OnnxRuntimeNativeApi(IntPtr* table, string versionString)
    {
        VersionString = versionString;
        GetErrorCode = (delegate* unmanaged<IntPtr, int>)table[1];
        GetErrorMessage = (delegate* unmanaged<IntPtr, byte*>)table[2];
        CreateEnv = (delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)table[3];
        CreateSession = (delegate* unmanaged<IntPtr, void*, IntPtr, IntPtr*, IntPtr>)table[7];
        CreateSessionFromArray = (delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)table[8];
        Run = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr>)table[9];
        CreateSessionOptions = (delegate* unmanaged<IntPtr*, IntPtr>)table[10];
        SetSessionExecutionMode = (delegate* unmanaged<IntPtr, int, IntPtr>)table[13];
        SetSessionLogSeverityLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)table[22];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)table[23];
        SetIntraOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)table[24];
        SetInterOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)table[25];
        SessionGetInputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[30];
        SessionGetOutputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[31];
        SessionGetInputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)table[33];
        SessionGetOutputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)table[34];
        SessionGetInputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)table[36];
        SessionGetOutputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)table[37];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)table[49];
        IsTensor = (delegate* unmanaged<IntPtr, int*, IntPtr>)table[50];
        GetTensorMutableData = (delegate* unmanaged<IntPtr, void**, IntPtr>)table[51];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)table[55];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged<IntPtr, int*, IntPtr>)table[56];
        GetTensorElementType = (delegate* unmanaged<IntPtr, int*, IntPtr>)table[60];
        GetDimensionsCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[61];
        GetDimensions = (delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)table[62];
        GetSymbolicDimensions = (delegate* unmanaged<IntPtr, byte**, nuint, IntPtr>)table[63];
        GetTensorShapeElementCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)table[64];
        GetTensorTypeAndShape = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)table[65];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, IntPtr*, IntPtr>)table[69];
        AllocatorFree = (delegate* unmanaged<IntPtr, void*, IntPtr>)table[76];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<IntPtr*, IntPtr>)table[78];
        ReleaseEnv = (delegate* unmanaged<IntPtr, void>)table[92];
        ReleaseStatus = (delegate* unmanaged<IntPtr, void>)table[93];
        ReleaseMemoryInfo = (delegate* unmanaged<IntPtr, void>)table[94];
        ReleaseSession = (delegate* unmanaged<IntPtr, void>)table[95];
        ReleaseValue = (delegate* unmanaged<IntPtr, void>)table[96];
        ReleaseTypeInfo = (delegate* unmanaged<IntPtr, void>)table[98];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<IntPtr, void>)table[99];
        ReleaseSessionOptions = (delegate* unmanaged<IntPtr, void>)table[100];
        SessionGetModelMetadata = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)table[111];
        ModelMetadataGetProducerName = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)table[112];
        ModelMetadataGetGraphName = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)table[113];
        ModelMetadataGetDomain = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)table[114];
        ModelMetadataGetDescription = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)table[115];
        ModelMetadataLookupCustomMetadataMap = (delegate* unmanaged<IntPtr, IntPtr, byte*, byte**, IntPtr>)table[116];
        ModelMetadataGetVersion = (delegate* unmanaged<IntPtr, long*, IntPtr>)table[117];
        ReleaseModelMetadata = (delegate* unmanaged<IntPtr, void>)table[118];
        ModelMetadataGetCustomMetadataMapKeys = (delegate* unmanaged<IntPtr, IntPtr, byte***, long*, IntPtr>)table[123];
        GetAvailableProviders = (delegate* unmanaged<byte***, int*, IntPtr>)table[125];
        ReleaseAvailableProviders = (delegate* unmanaged<byte**, int, IntPtr>)table[126];
        ModelMetadataGetGraphDescription = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)table[158];
        SessionOptionsAppendExecutionProviderCudaV2 = (delegate* unmanaged<IntPtr, IntPtr, IntPtr>)table[204];
        CreateCudaProviderOptions = (delegate* unmanaged<IntPtr*, IntPtr>)table[205];
        UpdateCudaProviderOptions = (delegate* unmanaged<IntPtr, byte**, byte**, nuint, IntPtr>)table[206];
        ReleaseCudaProviderOptions = (delegate* unmanaged<IntPtr, void>)table[208];
        GetBuildInfoString = (delegate* unmanaged<byte*>)table[254];
        GetKeyValuePairs = (delegate* unmanaged<IntPtr, byte***, byte***, nuint*, void>)table[298];
        RegisterExecutionProviderLibrary = (delegate* unmanaged<IntPtr, byte*, void*, IntPtr>)table[301];
        GetEpDevices = (delegate* unmanaged<IntPtr, IntPtr**, nuint*, IntPtr>)table[303];
        SessionOptionsAppendExecutionProviderV2 = (delegate* unmanaged<IntPtr, IntPtr, IntPtr*, nuint, byte**, byte**, nuint, IntPtr>)table[304];
        EpDeviceEpName = (delegate* unmanaged<IntPtr, byte*>)table[312];
        EpDeviceEpOptions = (delegate* unmanaged<IntPtr, IntPtr>)table[315];
    }

    /// <summary>What <c>OrtApiBase::GetVersionString</c> returned, e.g. "1.30.0".</summary>
    public string VersionString { get; }

    // [1..3] status and environment
    public readonly delegate* unmanaged<IntPtr, int> GetErrorCode;
    public readonly delegate* unmanaged<IntPtr, byte*> GetErrorMessage;
    public readonly delegate* unmanaged<int, byte*, IntPtr*, IntPtr> CreateEnv;

    // [7..10] session and session options; Run(session, run_options, input_names, inputs, n, output_names, m, outputs)
    public readonly delegate* unmanaged<IntPtr, void*, IntPtr, IntPtr*, IntPtr> CreateSession;
    public readonly delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr> CreateSessionFromArray;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr> Run;
    public readonly delegate* unmanaged<IntPtr*, IntPtr> CreateSessionOptions;

    // [13..25] session options setters
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionExecutionMode;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionLogSeverityLevel;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetIntraOpNumThreads;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetInterOpNumThreads;

    // [30..37] session inputs and outputs
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetInputCount;
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetOutputCount;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;

    // [49..51] tensors; CreateTensorWithDataAsOrtValue(info, data, byte_length, shape, rank, element_type, out)
    public readonly delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue;
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> IsTensor;
    public readonly delegate* unmanaged<IntPtr, void**, IntPtr> GetTensorMutableData;

    // [55..65] type and shape information; CastTypeInfoToTensorInfo returns a view owned by the type info
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetOnnxTypeFromTypeInfo;
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetTensorElementType;
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> GetDimensionsCount;
    public readonly delegate* unmanaged<IntPtr, long*, nuint, IntPtr> GetDimensions;
    public readonly delegate* unmanaged<IntPtr, byte**, nuint, IntPtr> GetSymbolicDimensions;
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> GetTensorShapeElementCount;
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShape;

    // [69..78] memory info and the default allocator (owned by ORT, never released)
    public readonly delegate* unmanaged<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;
    public readonly delegate* unmanaged<IntPtr, void*, IntPtr> AllocatorFree;
    public readonly delegate* unmanaged<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;

    // [92..100] release functions
    public readonly delegate* unmanaged<IntPtr, void> ReleaseEnv;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseStatus;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseMemoryInfo;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSession;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseValue;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseTypeInfo;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseTensorTypeAndShapeInfo;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSessionOptions;

    // [111..123, 158] model metadata; strings come from the allocator passed in and go back to it
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> SessionGetModelMetadata;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetProducerName;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetGraphName;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetDomain;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetDescription;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte*, byte**, IntPtr> ModelMetadataLookupCustomMetadataMap;
    public readonly delegate* unmanaged<IntPtr, long*, IntPtr> ModelMetadataGetVersion;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseModelMetadata;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte***, long*, IntPtr> ModelMetadataGetCustomMetadataMapKeys;
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetGraphDescription;

    // [125..126] execution providers compiled into the library
    public readonly delegate* unmanaged<byte***, int*, IntPtr> GetAvailableProviders;
    public readonly delegate* unmanaged<byte**, int, IntPtr> ReleaseAvailableProviders;

    // [204..208] CUDA through the provider bridge (libonnxruntime_providers_cuda next to the core library)
    public readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr> SessionOptionsAppendExecutionProviderCudaV2;
    public readonly delegate* unmanaged<IntPtr*, IntPtr> CreateCudaProviderOptions;
    public readonly delegate* unmanaged<IntPtr, byte**, byte**, nuint, IntPtr> UpdateCudaProviderOptions;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseCudaProviderOptions;

    // [254] build description
    public readonly delegate* unmanaged<byte*> GetBuildInfoString;

    // [298..315] plugin execution providers: a provider library registered by path, its devices, appended by device
    public readonly delegate* unmanaged<IntPtr, byte***, byte***, nuint*, void> GetKeyValuePairs;
    public readonly delegate* unmanaged<IntPtr, byte*, void*, IntPtr> RegisterExecutionProviderLibrary;
    public readonly delegate* unmanaged<IntPtr, IntPtr**, nuint*, IntPtr> GetEpDevices;
    public readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr*, nuint, byte**, byte**, nuint, IntPtr> SessionOptionsAppendExecutionProviderV2;
    public readonly delegate* unmanaged<IntPtr, byte*> EpDeviceEpName;
    public readonly delegate* unmanaged<IntPtr, IntPtr> EpDeviceEpOptions;

    /// <summary>
    /// Reads the function table of a loaded library. Fails with a clear message when the library does not export
    /// <c>OrtGetApiBase</c> or is older than <see cref="MinimumRuntimeVersion"/>.
    /// </summary>
    public static OnnxRuntimeNativeApi Load(IntPtr library, string path)
    {
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
            throw new InvalidOperationException($"'{path}' was loaded but does not export OrtGetApiBase: it is not an ONNX Runtime library.");
        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged<IntPtr*>)getApiBase)();
        if (apiBase == null)
            throw new InvalidOperationException($"OrtGetApiBase() of '{path}' returned null.");
        var getApi = (delegate* unmanaged<uint, IntPtr*>)apiBase[0];
        var getVersionString = (delegate* unmanaged<byte*>)apiBase[1];
        var version = Utf8(getVersionString()) ?? "unknown";
        var table = getApi(ApiVersion);
        if (table == null)
            throw new InvalidOperationException(
                $"ONNX Runtime at '{path}' is version {version}, which does not serve C API version {ApiVersion}; " +
                $"MlNetRnn needs ONNX Runtime {MinimumRuntimeVersion} or newer. Run scripts/setup.sh to install a current one.");
        return new OnnxRuntimeNativeApi(table, version);
    }

    /// <summary>
    /// The one place a native status is checked: null is success; otherwise its code and message become an
    /// <see cref="OnnxRuntimeException"/> (prefixed by <paramref name="context"/>) and the status is released.
    /// </summary>
    public void ThrowIfFailed(IntPtr status, string context)
    {
        if (status == IntPtr.Zero)
            return;
        throw ToException(status, context);
    }

    /// <summary>Converts and releases a non-null status without throwing, for callers that collect failures.</summary>
    public OnnxRuntimeException ToException(IntPtr status, string context)
    {
        try
        {
            var code = (OnnxRuntimeErrorCode)GetErrorCode(status);
            var message = Utf8(GetErrorMessage(status)) ?? "";
            return new OnnxRuntimeException(code, message, context);
        }
        finally
        {
            ReleaseStatus(status);
        }
    }

    /// <summary>The default CPU allocator (owned by ORT); strings ORT returns through it are freed with it.</summary>
    public IntPtr DefaultAllocator()
    {
        IntPtr allocator;
        ThrowIfFailed(GetAllocatorWithDefaultOptions(&allocator), "getting the default allocator");
        return allocator;
    }

    /// <summary>Copies a string ORT allocated with <paramref name="allocator"/> and frees it; null stays null.</summary>
    public string? TakeAllocatorString(IntPtr allocator, byte* text, string context)
    {
        if (text == null)
            return null;
        try
        {
            return Utf8(text);
        }
        finally
        {
            ThrowIfFailed(AllocatorFree(allocator, text), context);
        }
    }

    /// <summary>A NUL-terminated UTF-8 string, or null for a null pointer.</summary>
    public static string? Utf8(byte* text) => text == null ? null : Marshal.PtrToStringUTF8((IntPtr)text);

    /// <summary>NUL-terminated UTF-8 bytes of <paramref name="text"/>, for <c>const char*</c> arguments.</summary>
    public static byte[] EncodeUtf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    /// <summary>A NUL-terminated <c>ORTCHAR_T</c> path: UTF-16 on Windows, UTF-8 elsewhere.</summary>
    public static byte[] EncodePath(string path) => OperatingSystem.IsWindows()
        ? Encoding.Unicode.GetBytes(path + "\0")
        : EncodeUtf8(path);
}
