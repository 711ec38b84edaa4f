// Kindred for Android: the Rust core built with cargo-ndk for arm64-v8a, armeabi-v7a and x86_64, its uniffi-generated
// Kotlin bindings (package org.kindred.core) and the idiomatic layer in src/main/kotlin (package org.kindred).
//
// Needs, besides the Android SDK: the NDK (r27 or newer; set ANDROID_NDK_HOME or install it through the SDK manager),
// Rust with `rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`, and
// `cargo install cargo-ndk`. The unit tests (src/test/kotlin) run on the desktop JVM against a host build of the
// library; android/run-jvm-tests.sh runs the same tests without Gradle.

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

/** The Cargo workspace this module belongs to. */
val cargoWorkspace: File = projectDir.parentFile
val androidAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val jniLibsDir: File = file("src/main/jniLibs")
val generatedKotlinDir: File = layout.buildDirectory.dir("generated/uniffi").get().asFile

/** The library built for this computer: uniffi reads its interface from it, and the JVM unit tests load it. */
val hostLibrary: File = run {
    val os = System.getProperty("os.name").lowercase()
    val name = when {
        os.contains("mac") -> "libkindred_ffi.dylib"
        os.contains("windows") -> "kindred_ffi.dll"
        else -> "libkindred_ffi.so"
    }
    cargoWorkspace.resolve("target/debug/$name")
}

/** Builds kindred-ffi for this computer (debug): input for binding generation and for the JVM unit tests. */
val cargoBuildHost by tasks.registering(Exec::class) {
    group = "kindred"
    description = "Builds the kindred-ffi library for this computer."
    workingDir(cargoWorkspace)
    commandLine("cargo", "build", "-p", "kindred-ffi")
}

/**
 * Generates the Kotlin bindings into build/generated/uniffi with the workspace's own uniffi-bindgen, so its version
 * always equals the runtime's. Generated sources are build outputs: never commit them.
 */
val generateUniffiBindings by tasks.registering(Exec::class) {
    group = "kindred"
    description = "Generates the uniffi Kotlin bindings (org.kindred.core) into build/generated/uniffi."
    dependsOn(cargoBuildHost)
    val outDir = generatedKotlinDir
    inputs.file(hostLibrary)
    outputs.dir(outDir)
    workingDir(cargoWorkspace)
    doFirst { outDir.deleteRecursively() }
    commandLine(
        "cargo", "run", "--quiet", "-p", "kindred-uniffi-bindgen", "--",
        "generate", "--library", hostLibrary.absolutePath, "--language", "kotlin",
        "--out-dir", outDir.absolutePath, "--no-format",
    )
}

/**
 * Cross-compiles kindred-ffi (release) for the three Android ABIs into src/main/jniLibs/<abi>/libkindred_ffi.so.
 * The linker flag aligns the libraries' segments to 16 KB, which Android 15+ devices with 16 KB pages require
 * (Google Play requires it for apps targeting Android 15 from November 2025).
 */
val cargoNdkBuild by tasks.registering(Exec::class) {
    group = "kindred"
    description = "Builds libkindred_ffi.so for ${androidAbis.joinToString()} with cargo-ndk."
    workingDir(projectDir)
    outputs.dir(jniLibsDir)
    // Always run: cargo decides what is stale (a task with outputs but no file inputs would be skipped while its
    // outputs are unchanged, missing changes to the Rust sources).
    outputs.upToDateWhen { false }
    val pageSizeFlag = "-C link-arg=-Wl,-z,max-page-size=16384"
    environment("RUSTFLAGS", listOfNotNull(System.getenv("RUSTFLAGS"), pageSizeFlag).joinToString(" "))
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "-o", "src/main/jniLibs",
        // `rustc --crate-type cdylib` rather than `build`: kindred-ffi also has the `lib` crate type, and for such
        // a package cargo drops the release profile's fat LTO (see bindings/scripts/build-release-library.sh).
        "rustc", "--release", "-p", "kindred-ffi", "--lib", "--crate-type", "cdylib",
    )
}

android {
    namespace = "org.kindred"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
        ndk {
            abiFilters += androidAbis
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            java.srcDirs("src/main/kotlin", generatedKotlinDir)
            jniLibs.srcDir(jniLibsDir)
        }
        getByName("test") {
            java.srcDir("src/test/kotlin")
        }
    }

    testOptions {
        unitTests.all { test ->
            test.useJUnitPlatform()
            test.dependsOn(cargoBuildHost)
            // JNA finds the host build of libkindred_ffi here.
            test.systemProperty("jna.library.path", hostLibrary.parentFile.absolutePath)
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // Flow and suspend functions are part of the public API.
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.9.0")
    // JNA for Android: the AAR carries JNA's own native dispatch library for every ABI.
    implementation("net.java.dev.jna:jna:5.15.0@aar")

    // The JVM unit tests need the desktop JNA jar (with the host's dispatch library) instead.
    testImplementation("net.java.dev.jna:jna:5.15.0")
    testImplementation(kotlin("test-junit5"))
    testImplementation("org.junit.jupiter:junit-jupiter:5.11.3")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher:1.11.3")
}

tasks.named("preBuild") {
    dependsOn(generateUniffiBindings, cargoNdkBuild)
}
