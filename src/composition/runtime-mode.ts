/** 'render': frames are captured, so holds and audio tracks count. 'player': live playback in a browser. */
export type RuntimeMode = 'render' | 'player';
