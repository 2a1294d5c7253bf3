/**
 * Event time: watermarks combined over a stage's inputs, idle inputs, and watermark strategies.
 */
package io.ferrite.engine.time;
